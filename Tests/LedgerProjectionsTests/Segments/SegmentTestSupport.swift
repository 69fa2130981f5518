import LedgerDomain
@testable import LedgerProjections
import Testing

/// The custom fields the segment tests declare.
let ruleFieldTypes: [String: FieldType] = ["tier": .text, "city": .text, "score": .number, "joined": .date, "vip": .bool]

/// 2026-03-10T12:00:00Z: "now" for the rule tests.
let ruleNow: Int64 = microseconds("2026-03-10T12:00:00Z")

/// A time in microseconds, from ISO 8601 text the tests write correctly.
func microseconds(_ text: String) -> Int64 {
    Timestamp.parse(text) ?? 0
}

/// Parses a rule the tests wrote, with the tests' custom fields.
func parseRule(_ json: String) throws(SegmentRuleError) -> SegmentRule {
    try SegmentRule(json: Array(json.utf8), fieldTypes: ruleFieldTypes)
}

/// Whether `json`'s rule holds for `state` with `facts`, at `now`; the same rule over the
/// state's stored bytes read in place (`StoredContactState`, as passes over every contact
/// read them) must answer the same, or the test fails here.
func holds(_ json: String, _ state: ContactState?, facts: SegmentFacts = SegmentFacts(), now: Int64 = ruleNow,
           sourceLocation: SourceLocation = #_sourceLocation) throws -> Bool {
    let rule = CompiledRule(try parseRule(json))
    guard let state else { return false }
    let decoded = rule.matches(state, facts: facts, context: RuleContext(now: now))
    let inPlace = try state.encoded().withUnsafeBytes { raw in
        rule.matches(try StoredContactState(raw), facts: facts, context: RuleContext(now: now))
    }
    #expect(inPlace == decoded, "\(json): read in place, the rule says \(inPlace)", sourceLocation: sourceLocation)
    return decoded
}

/// A contact holding `value` in `field` (nothing when nil), folded from events.
func contact(_ field: String, _ value: FieldValue?) -> ContactState? {
    let named: ContactField = StandardField(rawValue: field).map { .standard($0) } ?? .custom(field)
    var events = [Events.created()]
    if let value { events.append(Events.set(named, value)) }
    return fold(events)
}

func text(_ value: String) -> FieldValue { .text(value) }
func day(_ iso: String) -> FieldValue { .date(CalendarDate(iso8601: iso) ?? .earliest) }
