/// The contact domain's event types, by their stable tag (independent of Swift names).
public enum ContactEventKind: String, CaseIterable, Hashable, Sendable {
    /// `contact.created`: a contact's first event.
    case contactCreated = "contact.created"
    /// `contact.fields-changed`: fields changed, with old and new values.
    case contactFieldsChanged = "contact.fields-changed"
    /// `contact.identifier-added`: an e-mail, phone or external id was attached.
    case identifierAdded = "contact.identifier-added"
    /// `contact.identifier-removed`: an identifier was detached.
    case identifierRemoved = "contact.identifier-removed"
    /// `consent.granted`: consent given for a channel and purpose.
    case consentGranted = "consent.granted"
    /// `consent.withdrawn`: consent taken back.
    case consentWithdrawn = "consent.withdrawn"
    /// `consent.confirmation-requested`: a double opt-in message was sent.
    case consentConfirmationRequested = "consent.confirmation-requested"
    /// `consent.confirmed`: the double opt-in was confirmed.
    case consentConfirmed = "consent.confirmed"
    /// `segment.member-added`: joined a static segment.
    case segmentMemberAdded = "segment.member-added"
    /// `segment.member-removed`: left a static segment.
    case segmentMemberRemoved = "segment.member-removed"
    /// `contact.merged`: on the survivor, another contact was absorbed.
    case contactMerged = "contact.merged"
    /// `contact.merged-away`: on the absorbed contact, it now lives on in the survivor.
    case contactMergedAway = "contact.merged-away"
    /// `contact.erased`: the contact's personal data was erased.
    case contactErased = "contact.erased"
    /// `field.defined`: a custom field was declared, on the schema stream.
    case fieldDefined = "field.defined"

    /// The kind with this type tag name; nil for a name this build does not know.
    public init?(name: String) {
        self.init(rawValue: name)
    }

    /// The kind whose type tag name has these UTF-8 bytes; nil for one this build does not know.
    public init?(utf8Name bytes: UnsafeRawBufferPointer) {
        for (name, kind) in Self.utf8Names where name.count == bytes.count {
            if name.withUnsafeBytes({ $0.elementsEqual(bytes) }) {
                self = kind
                return
            }
        }
        return nil
    }

    /// Every name's UTF-8 bytes, for `init(utf8Name:)`.
    private static let utf8Names: [([UInt8], ContactEventKind)] = allCases.map { (Array($0.rawValue.utf8), $0) }

    /// The type tag name, e.g. `contact.created`.
    public var name: String { rawValue }

    /// The payload version writers write now; older ones are upcast when read.
    public var currentVersion: UInt16 {
        switch self {
        case .contactFieldsChanged, .identifierAdded, .identifierRemoved,
             .segmentMemberAdded, .segmentMemberRemoved, .contactMerged, .contactMergedAway,
             .contactErased, .fieldDefined:
            1
        // v2: the `operator` method, an evidence note, and a grant's status stated.
        case .consentGranted, .consentWithdrawn, .consentConfirmationRequested, .consentConfirmed:
            2
        // v2: the consent the contact is created with; v3: its identifiers and field values.
        case .contactCreated:
            3
        }
    }

    /// The tag and current version, e.g. `contact.created.v1`.
    public var currentType: EventType { EventType(name, version: currentVersion) }

    /// Whether the payload has a personal part; a sealing layer may skip the others.
    /// (`contact.created` has one when it carries identifiers or field values.)
    public var carriesPersonalData: Bool {
        switch self {
        case .contactCreated, .contactFieldsChanged, .identifierAdded, .identifierRemoved, .consentGranted,
             .consentWithdrawn, .consentConfirmationRequested, .consentConfirmed:
            true
        case .segmentMemberAdded, .segmentMemberRemoved, .contactMerged,
             .contactMergedAway, .contactErased, .fieldDefined:
            false
        }
    }
}
