import Foundation
import Testing

@Suite("ledger history and who-changed", .serialized)
struct HistoryCommandTests {
    @Test("history: every change, oldest first, as an aligned table with actor, source and old → new values")
    func table() throws {
        let store = try AuditFixtures.base()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let output = try AuditFixtures.ledger(store, ["history", "olena@example.com"])
        try Snapshot.expect(output, matches: "history-olena.txt")
        #expect(output.contains(#"firstName: "Olena" → "Olha""#))
        #expect(output.contains("api-key:crm-sync  api crm-sync request req-7"))
        #expect(try AuditFixtures.ledger(store, ["history", "#1"]) == output, "a number, an e-mail or a phone name the same contact")
        #expect(try AuditFixtures.ledger(store, ["history", "+380671234567"]) == output)
    }

    @Test("history --json: the same entries as a JSON array, keys sorted")
    func json() throws {
        let store = try AuditFixtures.base()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let output = try AuditFixtures.ledger(store, ["history", "#1", "--json"])
        try Snapshot.expect(output, matches: "history-olena.json")
        let entries = try AuditFixtures.objects(output)
        #expect(entries.count == 16)
        #expect(entries.map { $0["position"] as? Int } == entries.map { $0["position"] as? Int }.sorted { ($0 ?? 0) < ($1 ?? 0) })
        let renamed = try #require(entries.first { ($0["source"] as? [String: Any])?["command"] as? String == "contact update" })
        #expect(renamed["actor"] as? String == "user:olha")
        #expect(renamed["recordedAt"] as? String == "2026-01-06T12:00:00.000000Z")
        let change = try #require((renamed["changes"] as? [[String: Any]])?.first)
        #expect(change["subject"] as? String == "firstName")
        #expect(change["old"] as? String == "Olena")
        #expect(change["new"] as? String == "Olha")
        let imported = try #require(entries.first)
        let source = try #require(imported["source"] as? [String: Any])
        #expect(source["file"] as? String == "spring.csv")
        #expect(source["row"] as? Int == 2)
        let scored = try #require(entries.first { ($0["source"] as? [String: Any])?["requestId"] as? String == "req-7" })
        let scoreChange = try #require((scored["changes"] as? [[String: Any]])?.last)
        #expect(scoreChange["old"] is NSNull)
        #expect(scoreChange["new"] as? Double == 12.5)
    }

    @Test("history of a contact whose personal data is sealed prints [erased] for every personal value")
    func sealed() throws {
        let store = try AuditFixtures.base()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let output = try AuditFixtures.ledger(store, ["history", "#3"])
        try Snapshot.expect(output, matches: "history-sealed.txt")
        #expect(output.contains("firstName: [erased] → [erased]"), "the old side is personal too")
        #expect(output.contains("email: added [erased]"))
        #expect(!output.contains("Taras") && !output.contains("taras@"))
        let json = try AuditFixtures.objects(try AuditFixtures.ledger(store, ["history", "#3", "--json", "--field", "firstName"]))
        #expect((json.first?["changes"] as? [[String: Any]])?.first?["new"] as? String == "[erased]")
    }

    @Test("--field, --since, --until and --actor filter the entries")
    func filters() throws {
        let store = try AuditFixtures.base()
        defer { try? FileManager.default.removeItem(atPath: store) }
        func positions(_ arguments: [String]) throws -> [Int] {
            try AuditFixtures.objects(try AuditFixtures.ledger(store, ["history", "#1", "--json"] + arguments)).compactMap { $0["position"] as? Int }
        }
        let all = try positions([])
        let firstName = try AuditFixtures.objects(try AuditFixtures.ledger(store, ["history", "#1", "--json", "--field", "firstName"]))
        #expect(firstName.count == 2)
        #expect(firstName.allSatisfy { ($0["changes"] as? [[String: Any]])?.count == 1 }, "only the field's own change is kept")
        #expect(try positions(["--field", "email"]).count == 2, "identifiers count as fields")
        #expect(try positions(["--field", "score"]).count == 1, "custom fields too")
        #expect(try positions(["--field", "nickname"]).isEmpty)
        let week = try positions(["--since", "2026-01-04", "--until", "2026-01-06T12:00:00Z"])
        #expect(week == [14, 15, 20, 21, 22] && week.allSatisfy(all.contains))
        #expect(try positions(["--actor", "api-key:crm-sync"]).count == 3)
        #expect(try positions(["--actor", "crm-sync"]).count == 3, "a bare name matches any kind")
        #expect(try positions(["--actor", "user:crm-sync"]).isEmpty)
        #expect(try positions(["--actor", "olha", "--since", "2026-01-08"]).count == 2)
        let none = try AuditFixtures.ledger(store, ["history", "#1", "--field", "nickname"])
        #expect(none == "history of contact 1\n  no change matches\n")
    }

    @Test("who-changed: one line per change of the field, with time, actor, source and old → new")
    func whoChanged() throws {
        let store = try AuditFixtures.base()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let output = try AuditFixtures.ledger(store, ["who-changed", "olena@example.com", "--field", "lastName"])
        try Snapshot.expect(output, matches: "who-changed-lastname.txt")
        let lines = output.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[2].hasSuffix(#"api crm-sync request req-7  "Kovalenko" → "Shevchenko""#))
        let email = try AuditFixtures.ledger(store, ["who-changed", "#1", "--field", "email"])
        #expect(email.contains(#"added "olena.old@example.com""#))
        #expect(try AuditFixtures.ledger(store, ["who-changed", "#1", "--field", "birthDate"]) == "no recorded change of birthDate on contact 1\n")
    }

    @Test("bad input: an unknown key, a bad time and a missing --field are clear usage errors")
    func badInput() throws {
        let store = try AuditFixtures.base()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let unknown = try Executables.run("ledger", ["history", "nobody@example.com", "--store", store])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("no contact has the key nobody@example.com"))
        let time = try Executables.run("ledger", ["history", "#1", "--since", "yesterday", "--store", store])
        #expect(time.status != 0)
        #expect(time.stderr.contains("--since yesterday is not an ISO 8601 date or time"))
        let field = try Executables.run("ledger", ["who-changed", "#1", "--store", store])
        #expect(field.status != 0)
        #expect(field.stderr.contains("--field"))
    }
}
