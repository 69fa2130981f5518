import LedgerDomain

/// What a request says about one contact: identifiers as the caller wrote them, field values
/// (nil: the cell was empty), and static segments to join.
public struct ContactInput: Sendable {
    /// The e-mail address as sent; normalised before use.
    public var email: String?
    /// The phone number as sent; normalised before use.
    public var phone: String?
    /// The CRM's id for the contact.
    public var externalId: String?
    /// Field values in the order given; nil means the value was empty.
    public var fields: [(field: ContactField, value: FieldValue?)]
    /// Static segments the contact joins.
    public var segments: [String]
    /// Static segments the contact leaves, if it is in them (the API's `groupNamesExclude`),
    /// in the same commit as its other changes.
    public var leavingSegments: [String] = []
    /// What the request says about consent, and what its sender states for requests that say
    /// nothing (an import's `--consent`); nil: nothing about consent.
    public var consent: ConsentInput?

    /// An empty input.
    public init(email: String? = nil, phone: String? = nil, externalId: String? = nil, fields: [(field: ContactField, value: FieldValue?)] = [], segments: [String] = [], consent: ConsentInput? = nil) {
        self.email = email
        self.phone = phone
        self.externalId = externalId
        self.fields = fields
        self.segments = segments
        self.consent = consent
    }
}

/// How an upsert treats what it finds.
public struct UpsertOptions: Hashable, Sendable {
    /// Create a contact when none matches.
    public var create: Bool
    /// Let empty values clear existing ones.
    public var overwriteEmpty: Bool

    /// The defaults: create, and leave existing values alone when a value is empty.
    public init(create: Bool = true, overwriteEmpty: Bool = false) {
        self.create = create
        self.overwriteEmpty = overwriteEmpty
    }
}

/// What an upsert did.
public enum UpsertOutcome: Hashable, Sendable {
    /// A new contact, with the events recorded.
    case created(StreamID, events: Int)
    /// An existing contact changed.
    case updated(StreamID, events: Int)
    /// An existing contact already said all this; nothing was recorded.
    case unchanged(StreamID)

    /// The contact concerned.
    public var contact: StreamID {
        switch self {
        case .created(let id, _), .updated(let id, _), .unchanged(let id): id
        }
    }
}
