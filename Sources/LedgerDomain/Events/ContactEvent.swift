/// Every fact the contact domain records, one case per event type.
///
/// Projectors switch over it exhaustively, so a new event type does not compile until every
/// projector decides what it means. Read it with `ContactEvent(decoding:)`, write it with
/// `newEvent(...)`, show it with `jsonPayload`.
public enum ContactEvent: Sendable, Hashable {
    /// `contact.created` v3; a new contact's identifiers and field values come inside it
    /// (read them through `facts`).
    case contactCreated(ContactCreated)
    /// `contact.fields-changed` v1.
    case contactFieldsChanged(ContactFieldsChanged)
    /// `contact.identifier-added` v1.
    case identifierAdded(IdentifierChange)
    /// `contact.identifier-removed` v1.
    case identifierRemoved(IdentifierChange)
    /// `consent.granted` v2.
    case consentGranted(ConsentGranted)
    /// `consent.withdrawn` v2.
    case consentWithdrawn(ConsentWithdrawn)
    /// `consent.confirmation-requested` v2.
    case consentConfirmationRequested(ConsentConfirmationRequested)
    /// `consent.confirmed` v2.
    case consentConfirmed(ConsentConfirmed)
    /// `segment.member-added` v1.
    case segmentMemberAdded(SegmentMembership)
    /// `segment.member-removed` v1.
    case segmentMemberRemoved(SegmentMembership)
    /// `contact.merged` v1, on the surviving contact's stream.
    case contactMerged(ContactMerged)
    /// `contact.merged-away` v1, on the absorbed contact's stream.
    case contactMergedAway(ContactMergedAway)
    /// `contact.erased` v1.
    case contactErased(ContactErased)
    /// `field.defined` v1, on the schema stream.
    case fieldDefined(FieldDefined)

    /// The event's type.
    public var kind: ContactEventKind {
        switch self {
        case .contactCreated: .contactCreated
        case .contactFieldsChanged: .contactFieldsChanged
        case .identifierAdded: .identifierAdded
        case .identifierRemoved: .identifierRemoved
        case .consentGranted: .consentGranted
        case .consentWithdrawn: .consentWithdrawn
        case .consentConfirmationRequested: .consentConfirmationRequested
        case .consentConfirmed: .consentConfirmed
        case .segmentMemberAdded: .segmentMemberAdded
        case .segmentMemberRemoved: .segmentMemberRemoved
        case .contactMerged: .contactMerged
        case .contactMergedAway: .contactMergedAway
        case .contactErased: .contactErased
        case .fieldDefined: .fieldDefined
        }
    }

    /// The type tag and version this event is written with.
    public var type: EventType { kind.currentType }

    /// The payload, for the codec and JSON, which work the same for every type.
    var payload: any EventPayload {
        switch self {
        case .contactCreated(let payload): payload
        case .contactFieldsChanged(let payload): payload
        case .identifierAdded(let payload): payload
        case .identifierRemoved(let payload): payload
        case .consentGranted(let payload): payload
        case .consentWithdrawn(let payload): payload
        case .consentConfirmationRequested(let payload): payload
        case .consentConfirmed(let payload): payload
        case .segmentMemberAdded(let payload): payload
        case .segmentMemberRemoved(let payload): payload
        case .contactMerged(let payload): payload
        case .contactMergedAway(let payload): payload
        case .contactErased(let payload): payload
        case .fieldDefined(let payload): payload
        }
    }
}
