import Foundation
import Testing

@Suite("ledger consent --history", .serialized)
struct ConsentHistoryTests {
    @Test("the full trail: grant, confirmation request, confirmation, withdrawal, with evidence and token")
    func trail() throws {
        let store = try AuditFixtures.base()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let output = try AuditFixtures.ledger(store, ["consent", "olena@example.com", "--history"])
        try Snapshot.expect(output, matches: "consent-history-olena.txt")
        #expect(output.contains("203.0.113.7"))
        #expect(output.contains("Mozilla/5.0 (X11; Linux)"))
        #expect(output.contains("withdrawn (too-frequent)"))
        let json = try AuditFixtures.ledger(store, ["consent", "#1", "--history", "--json"])
        try Snapshot.expect(json, matches: "consent-history-olena.json")
        let entries = try AuditFixtures.objects(json)
        #expect(entries.map { $0["action"] as? String } == ["granted", "confirmation-requested", "confirmed", "withdrawn"])
        #expect(entries[1]["tokenId"] as? String == "tok-1" && entries[2]["tokenId"] as? String == "tok-1")
        #expect(entries[2]["ipAddress"] as? String == "203.0.113.8")
        #expect(entries[1]["wordingVersion"] as? String == "v2")
        #expect(entries[0]["ipAddress"] == nil, "no evidence recorded: the key is left out")
        #expect(entries[3]["reason"] as? String == "too-frequent")
    }

    @Test("--at stops the trail at that moment; sealed evidence prints [erased]")
    func atAndSealed() throws {
        let store = try AuditFixtures.base()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let early = try AuditFixtures.objects(try AuditFixtures.ledger(store, ["consent", "#1", "--history", "--json", "--at", "2026-01-04T11:00:00Z"]))
        #expect(early.map { $0["action"] as? String } == ["granted", "confirmation-requested"])
        let sealed = try AuditFixtures.ledger(store, ["consent", "#3", "--history"])
        try Snapshot.expect(sealed, matches: "consent-history-sealed.txt")
        #expect(sealed.contains("[erased]  [erased]"))
        #expect(!sealed.contains("198.51.100.4"))
        #expect(try AuditFixtures.ledger(store, ["consent", "#4", "--history"]) == "consent trail of contact 4\n  none recorded\n")
        #expect(try AuditFixtures.ledger(store, ["consent", "#1"]).hasPrefix("consent of contact 1\n"), "without --history the command is unchanged")
    }
}
