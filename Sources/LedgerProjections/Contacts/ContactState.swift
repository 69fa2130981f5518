import LedgerDomain

/// A contact as its stream's events leave it: identifiers, fields, consents, segments.
///
/// Built only by `fold(_:_:meta:)` (and read back by the binary codec), so its invariants hold:
/// identifier lists have no repeats, and an erased contact holds no personal value.
public struct ContactState: Hashable, Sendable {
    /// The contact's stream.
    public internal(set) var id: StreamID
    /// When the contact's first event was recorded, in microseconds since 1970-01-01 UTC.
    public internal(set) var createdAt: Int64
    /// When the latest event that applied was recorded, in microseconds since 1970-01-01 UTC.
    public internal(set) var updatedAt: Int64
    /// How the contact entered the ledger; nil when its stream did not start with `contact.created`.
    public internal(set) var channel: EntryChannel?

    /// E-mail addresses, oldest first; re-adding one moves it to the end.
    public internal(set) var emails: [String] = []
    /// Phone numbers in E.164, oldest first; re-adding one moves it to the end.
    public internal(set) var phones: [String] = []
    /// Ids in other systems, oldest first; re-adding one moves it to the end.
    public internal(set) var externalIds: [String] = []

    /// The standard fields that have a value. Kept as values rather than typed properties so
    /// a value of an unexpected type (rules are applied when writing, not when reading) is
    /// still held; the typed accessors read it.
    public internal(set) var standardFields: [StandardField: FieldValue] = [:]
    /// The custom fields that have a value, by name.
    public internal(set) var fields: [String: FieldValue] = [:]

    /// Consent per scope (channel and purpose).
    public internal(set) var consents: [ConsentScope: ConsentRecord] = [:]
    /// The static segments the contact belongs to.
    public internal(set) var segments: Set<String> = []

    /// Contacts absorbed into this one by merges, in merge order.
    public internal(set) var absorbed: [StreamID] = []
    /// The contact that absorbed this one; once set, the stream's fold has ended.
    public internal(set) var mergedInto: StreamID?
    /// Whether the contact's personal data was erased; once set, nothing personal is held.
    public internal(set) var erased: Bool = false

    /// A contact with nothing but its id and times.
    public init(id: StreamID, createdAt: Int64, channel: EntryChannel? = nil) {
        self.id = id
        self.createdAt = createdAt
        self.updatedAt = createdAt
        self.channel = channel
    }
}

extension ContactState {
    /// The primary e-mail address: the latest added that is still present.
    public var email: String? { emails.last }
    /// The primary phone number: the latest added that is still present.
    public var phone: String? { phones.last }
    /// The primary external id: the latest added that is still present.
    public var externalId: String? { externalIds.last }

    /// Every identifier of `kind`, the primary first and then the others newest first: the
    /// order `contact show` and the contact document list them in.
    public func identifiersPrimaryFirst(_ kind: IdentifierKind) -> [String] {
        identifiers(kind).reversed()
    }

    /// Every identifier of `kind`, oldest first.
    public func identifiers(_ kind: IdentifierKind) -> [String] {
        switch kind {
        case .email: emails
        case .phone: phones
        case .externalId: externalIds
        }
    }

    /// The given name, when it is text.
    public var firstName: String? { text(.firstName) }
    /// The family name, when it is text.
    public var lastName: String? { text(.lastName) }
    /// The date of birth, when it is a date.
    public var birthDate: CalendarDate? {
        if case .date(let date) = standardFields[.birthDate] { return date }
        return nil
    }
    /// The preferred language's BCP 47 tag, when it is text.
    public var languageCode: String? { text(.languageCode) }
    /// The IANA time zone name, when it is text.
    public var timeZone: String? { text(.timeZone) }

    /// A standard field's value when it is text, as the rules require of every field but birthDate.
    private func text(_ field: StandardField) -> String? {
        if case .text(let text) = standardFields[field] { return text }
        return nil
    }

    /// The consent for `scope`; nil when no consent event named it (which means no consent).
    public func consent(_ scope: ConsentScope) -> ConsentRecord? {
        consents[scope]
    }
}
