import Foundation
import Testing

/// `ledger form` and `ledger doi`: what they record (event snapshots) and print.
@Suite("Form commands", .serialized)
struct FormCommandTests {
    typealias Store = CommandEventsTests.Store

    /// A consent wording file in a fresh folder.
    static func wording(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "ledger-form-wording-\(UUID().uuidString).txt"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("form create")
    func create() throws {
        let store = Store()
        let consent = try Self.wording("I agree to receive the newsletter. I can unsubscribe at any time.\n")
        defer { try? FileManager.default.removeItem(atPath: consent) }
        try store.expectEvents(of: "form", "create", "newsletter", "--fields", "email,firstName,phone", "--segment", "web", "--doi",
                               "--consent-text", consent, "--redirect", "https://shop.example.com/thanks", "--title", "Our newsletter",
                               "--allow-origin", "https://shop.example.com", "--reminder-after", "2d", matching: "events-form-create.json")
    }

    @Test("form update: a new version; the wording version follows its text")
    func update() throws {
        let store = Store()
        try store.ledger("form", "create", "newsletter", "--fields", "email", "--doi")
        let consent = try Self.wording("New words.")
        defer { try? FileManager.default.removeItem(atPath: consent) }
        try store.expectEvents(of: "form", "update", "newsletter", "--consent-text", consent, "--fields", "email,firstName*", matching: "events-form-update.json")
        let list = try store.ledger("form", "list", "--json").stdout
        #expect(list.contains("\"version\" : 2"))
        #expect(list.contains("\"wordingVersion\" : 2"))
        let unchanged = try store.ledger("form", "update", "newsletter", "--consent-text", consent).stdout
        #expect(unchanged.contains("unchanged"))
    }

    @Test("refusals name what is wrong and record nothing")
    func refusals() throws {
        let store = Store()
        try store.ledger("form", "create", "newsletter", "--fields", "email")
        for (arguments, status) in [
            (["form", "create", "newsletter", "--fields", "email"], Int32(65)),
            (["form", "create", "Bad Name", "--fields", "email"], 64),
            (["form", "create", "x", "--fields", "firstName"], 64),
            (["form", "create", "x", "--fields", "email", "--redirect", "javascript:alert(1)"], 64),
            (["form", "update", "nosuch", "--title", "T"], 66),
            (["form", "embed", "nosuch"], 66),
        ] {
            let outcome = try Executables.run("ledger", arguments + ["--store", store.path])
            #expect(outcome.status == status, "\(arguments): \(outcome.stderr)")
            #expect(!outcome.stderr.isEmpty)
        }
        #expect(try store.lastPosition() == 1)
    }

    @Test("form embed prints a plain form posting to the server, with its honeypot hidden inline")
    func embed() throws {
        let store = Store()
        try store.ledger("form", "create", "newsletter", "--fields", "email,firstName")
        let html = try store.ledger("form", "embed", "newsletter", "--url", "https://forms.example.com/").stdout
        #expect(html.contains("action=\"https://forms.example.com/forms/newsletter\""))
        #expect(html.contains("<label for=\"f-email\">"))
        #expect(html.contains("style=\"position:absolute;left:-10000px"))
    }

    @Test("doi pending lists nothing on a fresh store")
    func pending() throws {
        let store = Store()
        try store.ledger("form", "create", "newsletter", "--fields", "email", "--doi")
        #expect(try store.ledger("doi", "pending").stdout.contains("no confirmation is awaited"))
        #expect(try store.ledger("doi", "pending", "--older-than", "2d", "--json").stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
    }
}
