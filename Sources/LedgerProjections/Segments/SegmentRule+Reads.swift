import LedgerDomain

/// What a rule reads, so that a contact event re-evaluates only the rules that can depend on
/// what it changed (`RuleReads.affected(by:)`).
public struct RuleReads: Hashable, Sendable {
    /// Fields read, by value or by their change history.
    public var fields: Set<ContactField> = []
    /// Identifiers (has, or the primary e-mail, phone, external id as a field).
    public var identifiers = false
    /// Consent.
    public var consent = false
    /// Static memberships (a segment named that has no rule).
    public var staticSegments = false
    /// Facts every event moves: the last change's source, the last import, `updatedAt`.
    public var everyEvent = false
    /// Facts of consent withdrawals.
    public var withdrawals = false
    /// The parts of a contact's stored state the rule reads (`ContactState.init(decoding:reading:)`).
    public var parts: ContactState.Parts = []
    /// Whether it reads the contact's log facts (`SegmentFacts`).
    public var facts = false
    /// Whether it reads when fields changed (the facts' largest part).
    public var fieldTimes = false

    /// What `rule` reads.
    public init(_ rule: SegmentRule) {
        add(rule)
    }

    private mutating func add(_ rule: SegmentRule) {
        switch rule {
        case .all(let rules), .any(let rules): for rule in rules { add(rule) }
        case .not(let rule): add(rule)
        case .field(let condition):
            switch condition.field {
            case .contact(let field):
                fields.insert(field)
                switch field {
                case .standard: parts.insert(.standardFields)
                case .custom: parts.insert(.customFields)
                }
            case .identifier:
                identifiers = true
                parts.insert(.identifiers)
            case .updatedAt: everyEvent = true
            case .createdAt: break
            }
        case .consent:
            consent = true
            parts.insert(.consents)
        case .hasIdentifier:
            identifiers = true
            parts.insert(.identifiers)
        case .segment:
            staticSegments = true
            parts.insert(.segments)
        case .history(let condition):
            facts = true
            if case .fieldChanged = condition { fieldTimes = true }
            if case .fieldChangedWithin = condition { fieldTimes = true }
            switch condition {
            case .imported, .lastChangedVia: everyEvent = true
            case .fieldChanged(let field, _), .fieldChangedWithin(let field, _): fields.insert(field)
            case .consentWithdrawn: withdrawals = true
            case .createdBy: break
            }
        }
    }

    /// Whether an event of this kind can change the rule's answer. Creation (with
    /// whatever identifiers and fields it carries, decision 0026), merges and erasure can change
    /// anything.
    public func affected(by event: ContactEvent) -> Bool {
        if everyEvent { return true }
        switch event {
        case .contactCreated, .contactMerged, .contactMergedAway, .contactErased:
            return true
        case .contactFieldsChanged(let changed):
            return changed.changes.contains { fields.contains($0.field) }
        case .identifierAdded, .identifierRemoved:
            return identifiers
        case .consentGranted, .consentConfirmationRequested, .consentConfirmed:
            return consent
        case .consentWithdrawn:
            return consent || withdrawals
        case .segmentMemberAdded, .segmentMemberRemoved:
            return staticSegments
        case .fieldDefined:
            return false
        }
    }
}
