import Foundation
import Testing

/// `ledger consent set` records an operator's change as such: method `operator`, the actor,
/// the status stated and the evidence note; the trail and history show it honestly.
@Suite("ledger consent set", .serialized)
struct ConsentSetCommandTests {
    @Test("an operator's grant, confirmation and withdrawal, with evidence, and the events recorded")
    func operatorChanges() throws {
        let store = NSTemporaryDirectory() + "ledger-consent-set-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: store) }
        func ledger(_ arguments: String...) throws -> Executables.Outcome {
            try Executables.run("ledger", arguments + ["--store", store], environment: ["LEDGER_DEFAULT_REGION": "UA", "USER": "tester"])
        }
        // One contact.created, carrying the e-mail (decision 0026).
        #expect(try ledger("contact", "add", "--email", "olena@example.com").stdout == "created contact 1 (1 events)\n")

        let subscribed = try ledger("consent", "set", "olena@example.com", "--channel", "email", "--status", "subscribed", "--actor", "user:maria")
        #expect(subscribed.status == 0, "\(subscribed.stderr)")
        #expect(try ledger("consent", "olena@example.com").stdout.contains("email/marketing: subscribed-unconfirmed since"))
        let confirmed = try ledger(
            "consent", "set", "olena@example.com", "--channel", "email", "--status", "confirmed",
            "--evidence", "signed paper form 2026-03-02", "--actor", "user:maria")
        #expect(confirmed.status == 0, "\(confirmed.stderr)")
        let now = try ledger("consent", "olena@example.com").stdout
        #expect(now.contains("email/marketing: confirmed since"))
        #expect(now.contains("by operator"))
        #expect(!now.contains("by api"))
        let withdrawn = try ledger("consent", "set", "#1", "--channel", "email", "--status", "unsubscribed", "--reason", "asked-by-phone")
        #expect(withdrawn.status == 0, "\(withdrawn.stderr)")

        // The trail shows each change as an operator's, with the note.
        let trail = try ledger("consent", "olena@example.com", "--history", "--json")
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(trail.stdout.utf8)) as? [[String: Any]])
        #expect(entries.map { $0["method"] as? String } == ["operator", "operator", "operator"])
        #expect(entries.map { $0["status"] as? String } == ["subscribed", "confirmed", nil])
        #expect(entries[1]["evidenceNote"] as? String == "signed paper form 2026-03-02")
        #expect(entries[1]["actor"] as? String == "user:maria")
        #expect(entries[2]["actor"] as? String == "user:tester")
        #expect(entries[2]["reason"] as? String == "asked-by-phone")
        let history = try ledger("history", "olena@example.com").stdout
        #expect(history.contains("granted (confirmed) by operator"))
        #expect(history.contains("withdrawn by operator"))

        // What was recorded, event by event.
        let events = try ledger("events")
        try Snapshot.expect(try EventSnapshot.stable(events.stdout, after: 2), matches: "consent-set-events.json")
        #expect(try ledger("verify").status == 0)
    }

    @Test("bad requests are refused before anything is written")
    func refusals() throws {
        let store = NSTemporaryDirectory() + "ledger-consent-set-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: store) }
        func ledger(_ arguments: String...) throws -> Executables.Outcome {
            try Executables.run("ledger", arguments + ["--store", store], environment: ["LEDGER_DEFAULT_REGION": "UA", "USER": "tester"])
        }
        #expect(try ledger("contact", "add", "--email", "olena@example.com").status == 0)
        let reasonOnGrant = try ledger("consent", "set", "#1", "--channel", "email", "--status", "confirmed", "--reason", "x")
        #expect(reasonOnGrant.status == 64)
        #expect(reasonOnGrant.stderr.contains("--reason goes with --status unsubscribed"))
        let badStatus = try ledger("consent", "set", "#1", "--channel", "email", "--status", "maybe")
        #expect(badStatus.status == 64)
        let longNote = try ledger("consent", "set", "#1", "--channel", "email", "--status", "confirmed", "--evidence", String(repeating: "x", count: 1001))
        #expect(longNote.status != 0)
        #expect(longNote.stderr.contains("evidence note"))
        let events = try ledger("events").stdout.split(separator: "\n")
        // Only the contact add's one contact.created.
        #expect(events.count == 1)
    }
}
