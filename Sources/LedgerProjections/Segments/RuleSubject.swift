import LedgerDomain

/// What a compiled rule reads of a contact, from a decoded `ContactState` or from stored
/// bytes read in place (`StoredContactState`, for passes over every contact). `CompiledRule`
/// compiles each rule once for each, from the same code, so both answer alike (a test checks).
protocol RuleSubject {
    /// Whether the contact's personal data was erased.
    var isErased: Bool { get }
    /// Whether another contact absorbed this one.
    var isMergedAway: Bool { get }
    /// When the contact's first event was recorded.
    var createdAt: Int64 { get }
    /// When its latest event was recorded.
    var updatedAt: Int64 { get }
    /// A standard field's value, when it has one.
    func standardFieldValue(_ field: StandardField) -> FieldValue?
    /// A custom field's value, when it has one.
    func customFieldValue(_ name: String) -> FieldValue?
    /// The primary (latest) identifier of `kind`, as text.
    func primaryIdentifier(_ kind: IdentifierKind) -> FieldValue?
    /// Whether it has an identifier of `kind`.
    func hasIdentifier(_ kind: IdentifierKind) -> Bool
    /// The consent status for `scope`; nil when no consent event named it.
    func consentStatus(_ scope: ConsentScope) -> ConsentStatus?
    /// Whether a consent on `channel` (any purpose) has a status `holds` accepts.
    func anyConsent(on channel: ConsentChannel, where holds: (ConsentStatus) -> Bool) -> Bool
    /// Whether it is in the static segment `name`.
    func inStaticSegment(_ name: String) -> Bool
    /// Whether `rule` holds for it (the rule's test compiled for this kind of subject).
    func isMatched(by rule: CompiledRule, facts: SegmentFacts, context: RuleContext) -> Bool
}

extension ContactState: RuleSubject {
    var isErased: Bool { erased }
    var isMergedAway: Bool { mergedInto != nil }
    func standardFieldValue(_ field: StandardField) -> FieldValue? { standardFields[field] }
    func customFieldValue(_ name: String) -> FieldValue? { fields[name] }
    func primaryIdentifier(_ kind: IdentifierKind) -> FieldValue? { identifiers(kind).last.map(FieldValue.text) }
    func hasIdentifier(_ kind: IdentifierKind) -> Bool { !identifiers(kind).isEmpty }
    func consentStatus(_ scope: ConsentScope) -> ConsentStatus? { consents[scope]?.status }
    func anyConsent(on channel: ConsentChannel, where holds: (ConsentStatus) -> Bool) -> Bool {
        for (scope, record) in consents where scope.channel == channel && holds(record.status) { return true }
        return false
    }
    func inStaticSegment(_ name: String) -> Bool { segments.contains(name) }
    func isMatched(by rule: CompiledRule, facts: SegmentFacts, context: RuleContext) -> Bool {
        rule.matches(self, facts: facts, context: context)
    }
}

extension StoredContactState: RuleSubject {
    var isErased: Bool { head.erased }
    var isMergedAway: Bool { head.mergedInto != nil }
    var createdAt: Int64 { head.createdAt }
    var updatedAt: Int64 { head.updatedAt }
    func primaryIdentifier(_ kind: IdentifierKind) -> FieldValue? { lastIdentifier(kind).map(FieldValue.text) }
    func hasIdentifier(_ kind: IdentifierKind) -> Bool { identifierCount(kind) > 0 }
    func isMatched(by rule: CompiledRule, facts: SegmentFacts, context: RuleContext) -> Bool {
        rule.matches(self, facts: facts, context: context)
    }
}
