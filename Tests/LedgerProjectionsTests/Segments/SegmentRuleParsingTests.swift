import Foundation
import LedgerDomain
@testable import LedgerProjections
import Testing

@Suite struct SegmentRuleParsingTests {
    /// A document and the JSON path and words its error must name.
    struct Refusal: Sendable, CustomTestStringConvertible {
        let json: String
        let path: String
        let says: String
        var testDescription: String { json }
        init(_ json: String, _ path: String, _ says: String) {
            self.json = json
            self.path = path
            self.says = says
        }
    }

    static let refusals: [Refusal] = [
        Refusal(#"{"all": [{"field": "tier", "op": "eq", "value": "gold"}]}"#, "$.all[0].op", "unknown operator \"eq\""),
        Refusal(#"{"all": [{"field": "nosuch", "op": "=", "value": "x"}]}"#, "$.all[0].field", "no field \"nosuch\""),
        Refusal(#"{"any": [{"has": "email"}, {"field": "score", "op": ">", "value": "ten"}]}"#, "$.any[1].value", "score is a number field"),
        Refusal(#"{"field": "tier", "op": "birthdayWithinDays", "value": 3}"#, "$.op", "does not apply to tier, a text field"),
        Refusal(#"{"field": "birthDate", "op": "before", "value": "2026-02-30"}"#, "$.value", "not a date YYYY-MM-DD"),
        Refusal(#"{"field": "birthDate", "op": "ageBetween", "value": [30, 18]}"#, "$.value", "youngest age comes first"),
        Refusal(#"{"field": "tier", "op": "regex", "value": "(unclosed"}"#, "$.value", "not a regular expression"),
        Refusal(#"{"field": "tier", "op": "in", "value": []}"#, "$.value", "empty list"),
        Refusal(#"{"field": "tier", "op": "="}"#, "$", "needs a value"),
        Refusal(#"{"field": "tier", "op": "empty", "value": 1}"#, "$.value", "not part of this condition"),
        Refusal(#"{"field": "tier", "op": "=", "value": "a", "has": "email"}"#, "$", "not several"),
        Refusal(#"{"consent": {"channel": "fax", "status": "confirmed"}}"#, "$.consent.channel", "unknown channel \"fax\""),
        Refusal(#"{"consent": {"channel": "email", "status": "yes"}}"#, "$.consent.status", "unknown status"),
        Refusal(#"{"has": "webpushToken"}"#, "$.has", "web-push tokens"),
        Refusal(#"{"segment": ""}"#, "$.segment", "segment name"),
        Refusal(#"{"history": {"event": "imported"}}"#, "$.history.withinDays", "a whole number"),
        Refusal(#"{"history": {"event": "field-changed", "field": "city"}}"#, "$.history", "since or withinDays"),
        Refusal(#"{"history": {"event": "field-changed", "field": "city", "since": "yesterday"}}"#, "$.history.since", "not an ISO 8601"),
        Refusal(#"{"history": {"event": "created", "actor": "robot:r2"}}"#, "$.history.actor", "names no kind of actor"),
        Refusal(#"{"history": {"event": "last-changed", "via": "pigeon"}}"#, "$.history.via", "unknown source"),
        Refusal(#"{"history": {"event": "teleported"}}"#, "$.history.event", "unknown history event"),
        Refusal(#"[1, 2]"#, "$", "a condition is a JSON object"),
        Refusal(#"{"all": {"has": "email"}}"#, "$.all", "a list of conditions"),
        Refusal(#"{"all": [}"#, "$", "not JSON"),
        Refusal(#"{}"#, "$", "a condition needs one of"),
    ]

    @Test(arguments: refusals)
    func badDocumentsNameThePathAndTheFault(_ refusal: Refusal) {
        do throws(SegmentRuleError) {
            _ = try parseRule(refusal.json)
            Issue.record("accepted \(refusal.json)")
        } catch {
            #expect(error.path == refusal.path)
            #expect(error.message.contains(refusal.says), "\(error.message)")
        }
    }

    @Test func nestingBeyondTheLimitIsRefused() throws {
        let deep = String(repeating: #"{"not": "#, count: SegmentRule.maxDepth + 1) + #"{"has": "email"}"# + String(repeating: "}", count: SegmentRule.maxDepth + 1)
        #expect(throws: SegmentRuleError.self) { try parseRule(deep) }
        let fine = String(repeating: #"{"not": "#, count: SegmentRule.maxDepth) + #"{"has": "email"}"# + String(repeating: "}", count: SegmentRule.maxDepth)
        #expect(try parseRule(fine).conditionCount == 1)
    }

    @Test func longTextIsQuotedShort() {
        let long = String(repeating: "x", count: 500)
        do throws(SegmentRuleError) {
            _ = try parseRule(#"{"field": "tier", "op": "\#(long)", "value": 1}"#)
        } catch {
            #expect(error.description.count < 400)
        }
    }

    /// The schema's examples (Schemas/examples/segment-rules) are read by the Swift reader, and
    /// the documents the schema refuses are refused by it too.
    @Test func schemaExamplesAgreeWithTheReader() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Schemas/examples")
        let valid = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("segment-rules").path).filter { $0.hasSuffix(".json") }
        #expect(valid.count >= 2)
        for name in valid {
            let data = try Data(contentsOf: root.appendingPathComponent("segment-rules/\(name)"))
            #expect(throws: Never.self, "\(name)") { try SegmentRule(json: Array(data), fieldTypes: ruleFieldTypes) }
        }
        let invalid = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("invalid/segment-rules").path).filter { $0.hasSuffix(".json") }
        #expect(invalid.count >= 2)
        for name in invalid {
            let data = try Data(contentsOf: root.appendingPathComponent("invalid/segment-rules/\(name)"))
            #expect(throws: SegmentRuleError.self, "\(name)") { try SegmentRule(json: Array(data), fieldTypes: ruleFieldTypes) }
        }
    }

    @Test func theIssuesExampleReadsAsWritten() throws {
        let rule = try parseRule(#"""
            {"all": [
              {"field": "tier", "op": "in", "value": ["gold", "platinum"]},
              {"field": "birthDate", "op": "birthdayWithinDays", "value": 7},
              {"consent": {"channel": "email", "status": "confirmed"}},
              {"not": {"segment": "vip-blocklist"}},
              {"any": [
                {"history": {"event": "imported", "withinDays": 30}},
                {"history": {"event": "field-changed", "field": "city", "since": "2026-01-01"}}
              ]}
            ]}
            """#)
        #expect(rule.conditionCount == 6)
        #expect(rule.segmentsNamed == ["vip-blocklist"])
        #expect(rule.readsClock)
        guard case .all(let parts) = rule, parts.count == 5 else {
            Issue.record("not an all of five: \(rule)")
            return
        }
        #expect(parts[2] == .consent(ConsentCondition(channel: .email, purpose: nil, status: .confirmed)))
        #expect(parts[3] == .not(.segment("vip-blocklist")))
    }
}
