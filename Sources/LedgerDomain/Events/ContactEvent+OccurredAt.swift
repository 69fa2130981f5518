extension ContactEvent {
    /// When the fact happened, when the event says it happened before the ledger recorded it
    /// (a consent migrated from another system); nil: when it was recorded. Only consent
    /// events (v2) can say so.
    public var occurredAt: Int64? {
        switch self {
        case .consentGranted(let granted): granted.occurredAt
        case .consentWithdrawn(let withdrawn): withdrawn.occurredAt
        case .consentConfirmationRequested(let requested): requested.occurredAt
        case .consentConfirmed(let confirmed): confirmed.occurredAt
        case .contactCreated, .contactFieldsChanged, .identifierAdded, .identifierRemoved, .segmentMemberAdded,
             .segmentMemberRemoved, .contactMerged, .contactMergedAway, .contactErased, .fieldDefined:
            nil
        }
    }
}

extension ContactEvent {
    /// The consent scope a consent event is about; nil for every other event.
    public var consentScope: ConsentScope? {
        switch self {
        case .consentGranted(let granted): granted.scope
        case .consentWithdrawn(let withdrawn): withdrawn.scope
        case .consentConfirmationRequested(let requested): requested.scope
        case .consentConfirmed(let confirmed): confirmed.scope
        case .contactCreated, .contactFieldsChanged, .identifierAdded, .identifierRemoved, .segmentMemberAdded,
             .segmentMemberRemoved, .contactMerged, .contactMergedAway, .contactErased, .fieldDefined:
            nil
        }
    }
}
