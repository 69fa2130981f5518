import Foundation
import Testing

@Suite("ledger erase", .serialized)
struct EraseCommandTests {
    /// Runs `ledger` on `store`, requiring success; returns stdout.
    static func ledger(_ store: String, _ arguments: [String]) throws -> String {
        let outcome = try Executables.run("ledger", arguments + ["--store", store], environment: ["USER": "dpo"])
        #expect(outcome.status == 0, "ledger \(arguments.joined(separator: " ")): \(outcome.stderr)")
        return outcome.stdout
    }

    /// Two contacts written through the CLI (so sealed), the second merged into the first, with
    /// consent: contacts 1 and 2 (the custom field's declaration goes to the schema stream, a
    /// category of its own).
    static func base() throws -> String {
        let store = ContactFixtures.newStorePath()
        _ = try ledger(store, ["contact", "add", "--email", "olena@example.com", "--phone", "+380671234567", "--first-name", "Olena", "--field", "city=Lviv"])
        _ = try ledger(store, ["contact", "add", "--email", "o.koval@example.com", "--last-name", "Koval"])
        _ = try ledger(store, ["consent", "set", "olena@example.com", "--channel", "email", "--status", "subscribed"])
        _ = try ledger(store, ["contact", "merge", "olena@example.com", "o.koval@example.com"])
        return store
    }

    @Test("erase destroys the keys of the contact and those merged into it; history, export and verify after it")
    func eraseEndToEnd() throws {
        let store = try Self.base()
        defer { try? FileManager.default.removeItem(atPath: store) }
        #expect(try Self.ledger(store, ["history", "#1"]).contains("Olena"))

        let result = try JSONSerialization.jsonObject(with: Data(try Self.ledger(store, ["erase", "olena@example.com", "--reason", "gdpr-request", "--json"]).utf8)) as? [String: Any]
        #expect(result?["contact"] as? Int == 1)
        #expect(result?["streams"] as? [Int] == [1, 2])
        #expect(result?["events"] as? Int == 2)
        #expect(result?["keysDestroyed"] as? Int == 2)
        #expect(result?["plainEvents"] as? Int == 0)

        let personal = ["Olena", "olena@example.com", "+380671234567", "Lviv", "Koval", "o.koval@example.com"]
        for arguments in [["history", "#1"], ["history", "#2"], ["history", "#1", "--json"], ["export", "subject", "#1"], ["events"], ["consent", "#1", "--history"], ["export", "contacts"]] {
            let output = try Self.ledger(store, arguments)
            for value in personal {
                #expect(!output.contains(value), "ledger \(arguments.joined(separator: " ")) still shows \(value)")
            }
        }
        let history = try Self.ledger(store, ["history", "#1"])
        #expect(history.contains("email: added [erased]"))
        #expect(history.contains("erased (reason gdpr-request)"))
        #expect(history.contains("user:dpo"))

        #expect(try Self.ledger(store, ["verify"]).contains("ok"))
        #expect(try Self.ledger(store, ["verify", "--projections"]).contains("ok"))
        let lookup = try Executables.run("ledger", ["contact", "show", "olena@example.com", "--store", store])
        #expect(lookup.status != 0)
        #expect(try Self.ledger(store, ["erase", "#1", "--reason", "gdpr-request"]).contains("already erased"))
        // The raw store holds none of the values in plain text.
        let raw = try Data(contentsOf: URL(fileURLWithPath: store + "/data.mdb"))
        for value in personal { #expect(raw.range(of: Data(value.utf8)) == nil, "data.mdb holds \(value) in plain text") }
    }

    @Test("erase refuses an absorbed contact, a bad reason and an unknown key, writing nothing")
    func refusals() throws {
        let store = try Self.base()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let before = try Self.ledger(store, ["stats"])
        let absorbed = try Executables.run("ledger", ["erase", "#2", "--reason", "gdpr-request", "--store", store])
        #expect(absorbed.status != 0 && absorbed.stderr.contains("erase contact 1"))
        let reason = try Executables.run("ledger", ["erase", "#1", "--reason", " ", "--store", store])
        #expect(reason.status != 0 && reason.stderr.contains("erasure reason"))
        let unknown = try Executables.run("ledger", ["erase", "nobody@example.com", "--reason", "gdpr-request", "--store", store])
        #expect(unknown.status != 0 && unknown.stderr.contains("no contact has the key nobody@example.com"))
        #expect(try Self.ledger(store, ["stats"]) == before)
    }
}
