import Foundation
import Testing

/// `ledger segment …` end to end: the events each writing subcommand records (snapshots), and
/// what the reading ones answer.
@Suite("Segment commands", .serialized)
struct SegmentCommandTests {
    typealias Store = CommandEventsTests.Store

    /// A store with a declared tier, three contacts, and a rule file per name in a folder.
    final class Fixture {
        let store = Store()
        let folder = NSTemporaryDirectory() + "ledger-segment-rules-\(UUID().uuidString)"

        init() throws {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try store.ledger("field", "define", "tier", "--type", "text")
            try store.ledger("contact", "add", "--email", "gold@example.com", "--field", "tier=gold")
            try store.ledger("contact", "add", "--email", "silver@example.com", "--field", "tier=silver")
            try store.ledger("contact", "add", "--phone", "0671234567", "--field", "tier=gold")
        }

        deinit { try? FileManager.default.removeItem(atPath: folder) }

        func rule(_ name: String, _ json: String) throws -> String {
            let path = folder + "/" + name
            try Data(json.utf8).write(to: URL(fileURLWithPath: path))
            return path
        }
    }

    static let goldMail = #"{"all": [{"field": "tier", "op": "=", "value": "gold"}, {"has": "email"}]}"#

    @Test("segment define")
    func define() throws {
        let fixture = try Fixture()
        try fixture.store.expectEvents(of: "segment", "define", "gold-mail", "--rule", try fixture.rule("gold.json", Self.goldMail), matching: "events-segment-define.json")
        let members = try fixture.store.ledger("segment", "members", "gold-mail", "--format", "csv").stdout
        #expect(members == "id,email,phone,externalId\r\n1,gold@example.com,,\r\n")
        // The same rule again records nothing.
        let again = try fixture.store.ledger("segment", "define", "gold-mail", "--rule", try fixture.rule("gold.json", Self.goldMail)).stdout
        #expect(again.contains("unchanged"))
    }

    @Test("segment add, remove and import")
    func staticMembership() throws {
        let fixture = try Fixture()
        try fixture.store.expectEvents(of: "segment", "add", "spring", "gold@example.com", "#3", matching: "events-segment-add.json")
        try fixture.store.expectEvents(of: "segment", "remove", "spring", "#3", matching: "events-segment-remove.json")
        let list = try fixture.rule("keys.csv", "key\nsilver@example.com\n+380671234567\n")
        try fixture.store.expectEvents(of: "segment", "import", "spring", list, matching: "events-segment-import.json")
        #expect(try fixture.store.ledger("segment", "members", "spring").stdout.split(separator: "\n").count == 3)
        // A key that names nobody refuses the whole file.
        let bad = try fixture.rule("bad.csv", "key\nsilver@example.com\nnobody@example.com\n")
        let before = try fixture.store.lastPosition()
        let outcome = try Executables.run("ledger", ["segment", "import", "autumn", bad, "--store", fixture.store.path])
        #expect(outcome.status == 65)
        #expect(outcome.stderr.contains("rows 3"))
        #expect(try fixture.store.lastPosition() == before)
    }

    @Test("segment refresh")
    func refresh() throws {
        let fixture = try Fixture()
        try fixture.store.ledger("segment", "define", "new", "--rule", try fixture.rule("new.json", #"{"field": "createdAt", "op": "withinLastDays", "value": 30}"#))
        try fixture.store.ledger("segment", "define", "gold", "--rule", try fixture.rule("gold.json", #"{"field": "tier", "op": "=", "value": "gold"}"#))
        try fixture.store.expectEvents(of: "segment", "refresh", matching: "events-segment-refresh.json")
    }

    @Test("bad rules name the file and the JSON path, and record nothing")
    func badRules() throws {
        let fixture = try Fixture()
        let before = try fixture.store.lastPosition()
        let cases: [(String, String)] = [
            (#"{"all": [{"field": "tier", "op": "eq", "value": "gold"}]}"#, "$.all[0].op: unknown operator \"eq\""),
            (#"{"field": "nosuch", "op": "empty"}"#, "$.field: no field \"nosuch\""),
            (#"{"all": [}"#, "$: not JSON"),
        ]
        for (json, says) in cases {
            let path = try fixture.rule("bad.json", json)
            let outcome = try Executables.run("ledger", ["segment", "define", "x", "--rule", path, "--store", fixture.store.path])
            #expect(outcome.status == 65, "\(json)")
            #expect(outcome.stderr.contains(path + ": " + says), "\(outcome.stderr)")
        }
        #expect(try fixture.store.lastPosition() == before)
        // A cycle is named.
        try fixture.store.ledger("segment", "define", "a", "--rule", try fixture.rule("a.json", #"{"segment": "b"}"#))
        let cycle = try Executables.run("ledger", ["segment", "define", "b", "--rule", try fixture.rule("b.json", #"{"not": {"segment": "a"}}"#), "--store", fixture.store.path])
        #expect(cycle.status == 64)
        #expect(cycle.stderr.contains("b → a → b"))
    }

    @Test("preview, diff and why answer without recording")
    func readingCommands() throws {
        let fixture = try Fixture()
        try fixture.store.ledger("segment", "define", "gold-mail", "--rule", try fixture.rule("gold.json", Self.goldMail))
        let before = try fixture.store.lastPosition()
        let wider = try fixture.rule("wider.json", #"{"field": "tier", "op": "in", "value": ["gold", "silver"]}"#)
        let preview = try fixture.store.ledger("segment", "preview", "--rule", wider, "--json").stdout
        #expect(preview.contains("\"count\" : 3"))
        let diff = try fixture.store.ledger("segment", "diff", "gold-mail", "--rule", wider).stdout
        #expect(diff.hasPrefix("1 → 3 members: 2 enter, 0 leave"))
        #expect(diff.contains("+ #2  silver@example.com"))
        let why = try fixture.store.ledger("segment", "why", "gold-mail", "#3").stdout
        #expect(why.contains("contact 3 is not in gold-mail under rule version 1"))
        #expect(why.contains("✓ tier = \"gold\""))
        #expect(why.contains("✗ has email"))
        #expect(try fixture.store.lastPosition() == before)
        let list = try fixture.store.ledger("segment", "list", "--json").stdout
        #expect(list.contains("\"kind\" : \"dynamic\""))
    }

    @Test("an erased contact leaves every segment, and its history shows no personal value")
    func erasure() throws {
        let fixture = try Fixture()
        try fixture.store.ledger("segment", "define", "gold-mail", "--rule", try fixture.rule("gold.json", Self.goldMail))
        try fixture.store.ledger("segment", "add", "spring", "gold@example.com")
        try fixture.store.ledger("erase", "gold@example.com", "--reason", "gdpr-request")
        #expect(try fixture.store.ledger("segment", "members", "gold-mail").stdout.isEmpty)
        let spring = try Executables.run("ledger", ["segment", "members", "spring", "--store", fixture.store.path])
        #expect(!spring.stdout.contains("gold@example.com"))
        // Its membership history went with its values (a fold of the log could not tell it).
        let why = try fixture.store.ledger("segment", "why", "gold-mail", "#1").stdout
        #expect(why.contains("contact 1 is not in gold-mail"))
        #expect(why.contains("never entered"))
        #expect(!why.contains("gold@example.com"))
        #expect(try fixture.store.ledger("verify", "--projections").status == 0)
    }

    @Test("an import into a store with a dynamic segment updates its members, and verify agrees")
    func importWithSegments() throws {
        let fixture = try Fixture()
        try fixture.store.ledger("segment", "define", "gold", "--rule", try fixture.rule("gold.json", #"{"field": "tier", "op": "=", "value": "gold"}"#))
        let imported = try fixture.rule("base.csv", "email;tier\nnew-gold@example.com;gold\nnew-silver@example.com;silver\nsilver@example.com;gold\n")
        try fixture.store.ledger("import", imported, "--map", "tier=tier")
        let members = try fixture.store.ledger("segment", "members", "gold", "--format", "csv").stdout
        #expect(members.contains("new-gold@example.com"))
        #expect(members.contains("silver@example.com"))
        #expect(!members.contains("new-silver@example.com"))
        #expect(try fixture.store.ledger("verify", "--projections").status == 0)
        let recent = try fixture.rule("recent.json", #"{"history": {"event": "imported", "withinDays": 1, "file": "base.csv"}}"#)
        let preview = try fixture.store.ledger("segment", "preview", "--rule", recent, "--json").stdout
        #expect(preview.contains("\"count\" : 3"))
    }
}
