import LedgerDomain
@testable import LedgerProjections
import Testing

/// The rules a contact event can change, found through `RuleReaders`, are those whose
/// `RuleReads.affected(by:)` says so.
@Suite("Segment rules by what they read")
struct RuleReadersTests {
    static let rules = SegmentProjectionTests.propertyRules + [
        #"{"field": "firstName", "op": "=", "value": "Ann"}"#,
        #"{"all": [{"field": "ltv", "op": ">", "value": 10}, {"has": "email"}]}"#,
        #"{"history": {"event": "consent-withdrawn", "withinDays": 30}}"#,
        #"{"history": {"event": "imported", "withinDays": 30}}"#,
        #"{"field": "updatedAt", "op": "after", "value": "2026-01-01T00:00:00Z"}"#,
        #"{"segment": "vip"}"#,
        #"{"history": {"event": "created", "actor": "user:test"}}"#,
        #"{"field": "birthDate", "op": "birthdayWithinDays", "value": 7}"#,
    ]

    @Test("every random event marks exactly the rules that say it affects them", arguments: [7, 8] as [UInt64])
    func sameAsEachRule(seed: UInt64) throws {
        let fieldTypes = ruleFieldTypes.merging(["ltv": .number]) { first, _ in first }
        let reads = try Self.rules.map { RuleReads(try SegmentRule(json: Array($0.utf8), fieldTypes: fieldTypes)) }
        let readers = RuleReaders(reads)
        var random = RandomEvents(seed: seed)
        for event in random.events(count: 400) {
            let each = reads.map { $0.affected(by: event) }
            #expect(readers.affected(by: event) == each, "\(event)")
        }
    }
}
