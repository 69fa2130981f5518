import Foundation
import Testing

@Suite("ledger contact, consent and field", .serialized)
struct ContactCommandTests {
    @Test("add, show, update, consent now and earlier, field define, merge — through the executable")
    func lifecycle() throws {
        let store = NSTemporaryDirectory() + "ledger-contact-cli-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: store) }
        func ledger(_ arguments: String...) throws -> Executables.Outcome {
            try Executables.run("ledger", arguments + ["--store", store], environment: ["LEDGER_DEFAULT_REGION": "UA", "USER": "tester"])
        }
        let added = try ledger("contact", "add", "--email", "Olena@Example.com", "--phone", "067 123 45 67", "--first-name", "Олена", "--birth-date", "12.03.1988", "--field", "city=Київ", "--segment", "vip")
        #expect(added.status == 0, "\(added.stderr)")
        // The first custom field opens the schema stream, a stream of its own category: Olena
        // is contact 1, as the first contact always is. Three events: contact.created carrying
        // the identifiers and fields (decision 0026), field.defined for city, the segment.
        #expect(added.stdout == "created contact 1 (3 events)\n")
        #expect(try ledger("contact", "add", "--email", "olena@example.com").stdout == "contact 1 unchanged\n")

        let shown = try ledger("contact", "show", "+380671234567")
        #expect(shown.stdout.contains("email       olena@example.com"))
        #expect(shown.stdout.contains("birth date  1988-03-12"))
        #expect(shown.stdout.contains("segments    vip"))
        let json = try ledger("contact", "show", "olena@example.com", "--json")
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["phone"] as? String == "+380671234567")
        #expect((object?["fields"] as? [String: Any])?["city"] as? String == "Київ")

        #expect(try ledger("contact", "update", "#1", "--last-name", "Коваленко").stdout == "updated contact 1 (1 events)\n")
        let before = ISOText.now()
        usleep(20_000)
        #expect(try ledger("consent", "set", "olena@example.com", "--channel", "email", "--status", "unsubscribed", "--reason", "asked").status == 0)
        #expect(try ledger("consent", "olena@example.com").stdout.contains("email/marketing: unsubscribed since"))
        #expect(try ledger("consent", "olena@example.com", "--at", before).stdout.contains("none recorded"))

        let conflict = try ledger("contact", "add", "--email", "other@example.com")
        #expect(conflict.stdout == "created contact 2 (1 events)\n")
        let refused = try ledger("contact", "add", "--email", "other@example.com", "--phone", "0671234567")
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("identity conflict"))
        #expect(refused.stderr.contains("contact 1") && refused.stderr.contains("contact 2"))

        #expect(try ledger("field", "define", "score", "--type", "number").stdout == "field score is number\n")
        let badScore = try ledger("contact", "update", "#2", "--field", "score=high")
        #expect(badScore.status != 0)
        #expect(badScore.stderr.contains("not a number"))

        #expect(try ledger("contact", "merge", "#1", "id:2").stdout == "merged contact 2 into contact 1\n")
        #expect(try ledger("contact", "show", "other@example.com").stdout.hasPrefix("contact 1\n"))
        #expect(try ledger("events", "--limit", "1").stdout.contains("\"type\":\"field.defined\""))
        #expect(try ledger("verify").status == 0)
    }
}

/// The current time as ISO 8601 text.
enum ISOText {
    static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }
}
