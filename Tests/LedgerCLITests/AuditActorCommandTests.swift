import Foundation
import Testing

@Suite("ledger audit actor", .serialized)
struct AuditActorCommandTests {
    @Test("every event of one actor across contacts: position, time, stream, type, source")
    func table() throws {
        let store = try AuditFixtures.base()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let output = try AuditFixtures.ledger(store, ["audit", "actor", "api-key:crm-sync"])
        try Snapshot.expect(output, matches: "audit-actor-crm-sync.txt")
        let lines = output.split(separator: "\n")
        #expect(lines.count == 6, "a header and five events on two contacts")
        #expect(lines.dropFirst().allSatisfy { $0.contains("api-key:crm-sync") })
    }

    @Test("--json: the same as a JSON array; a bare name matches every kind; --since cuts the start")
    func json() throws {
        let store = try AuditFixtures.base()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let output = try AuditFixtures.ledger(store, ["audit", "actor", "crm-sync", "--json"])
        try Snapshot.expect(output, matches: "audit-actor-crm-sync.json")
        let events = try AuditFixtures.objects(output)
        #expect(events.map { $0["actor"] as? String } == Array(repeating: "api-key:crm-sync", count: 5) + ["system:crm-sync"])
        #expect(Set(events.compactMap { $0["stream"] as? Int }) == [1, 2])
        #expect(events.first?["type"] as? String == "contact.fields-changed")
        #expect((events.first?["source"] as? [String: Any])?["requestId"] as? String == "req-7")
        let later = try AuditFixtures.objects(try AuditFixtures.ledger(store, ["audit", "actor", "crm-sync", "--json", "--since", "2026-01-07"]))
        #expect(later.compactMap { $0["position"] as? Int } == [23, 30])
        #expect(try AuditFixtures.ledger(store, ["audit", "actor", "form:crm-sync"]) == "no events by form:crm-sync\n")
        #expect(try AuditFixtures.ledger(store, ["audit", "actor", "nobody", "--json"]) == "[]\n")
    }
}
