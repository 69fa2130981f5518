import Foundation
import Testing

/// One test per command that writes, each with a snapshot of exactly the events it recorded
/// (`EventSnapshot`: envelopes without ids, times and hashes). A change in what a command
/// records shows as a diff of its snapshot.
@Suite("What each writing command records", .serialized)
struct CommandEventsTests {
    /// A fresh store and a `ledger` that runs on it as user `tester`, region UA.
    final class Store {
        let path = NSTemporaryDirectory() + "ledger-command-events-\(UUID().uuidString)"

        deinit { try? FileManager.default.removeItem(atPath: path) }

        @discardableResult
        func ledger(_ arguments: String...) throws -> Executables.Outcome {
            let outcome = try Executables.run("ledger", arguments + ["--store", path], environment: ["LEDGER_DEFAULT_REGION": "UA", "USER": "tester"])
            #expect(outcome.status == 0, "ledger \(arguments.joined(separator: " ")): \(outcome.stderr)")
            return outcome
        }

        /// The last position, to snapshot only what the next command records.
        func lastPosition() throws -> UInt64 {
            guard FileManager.default.fileExists(atPath: path + "/data.mdb") else { return 0 }
            let events = try ledger("events").stdout.split(separator: "\n")
            return UInt64(events.count)
        }

        /// Runs a command and checks the events it recorded against snapshot `name`.
        func expectEvents(of arguments: String..., matching name: String) throws {
            let before = try lastPosition()
            let outcome = try Executables.run("ledger", arguments + ["--store", path], environment: ["LEDGER_DEFAULT_REGION": "UA", "USER": "tester"])
            #expect(outcome.status == 0 || outcome.status == 2, "ledger \(arguments.joined(separator: " ")): \(outcome.stderr)")
            try Snapshot.expect(try EventSnapshot.stable(try ledger("events").stdout, after: before), matches: name)
            #expect(try ledger("verify").status == 0)
        }
    }

    @Test("contact add")
    func contactAdd() throws {
        let store = Store()
        try store.expectEvents(of: "contact", "add", "--email", "Olena@Example.com", "--phone", "067 123 45 67", "--first-name", "Олена",
                               "--birth-date", "12.03.1988", "--field", "city=Київ", "--segment", "vip", matching: "events-contact-add.json")
    }

    @Test("contact update")
    func contactUpdate() throws {
        let store = Store()
        try store.ledger("contact", "add", "--email", "olena@example.com", "--first-name", "Olena")
        try store.expectEvents(of: "contact", "update", "olena@example.com", "--last-name", "Коваленко", "--phone", "+380671234567",
                               matching: "events-contact-update.json")
    }

    @Test("contact merge")
    func contactMerge() throws {
        let store = Store()
        try store.ledger("contact", "add", "--email", "kept@example.com")
        try store.ledger("contact", "add", "--email", "gone@example.com", "--last-name", "Away", "--segment", "old")
        try store.ledger("consent", "set", "gone@example.com", "--channel", "email", "--status", "confirmed", "--evidence", "signed form")
        try store.expectEvents(of: "contact", "merge", "kept@example.com", "gone@example.com", matching: "events-contact-merge.json")
    }

    @Test("field define")
    func fieldDefine() throws {
        let store = Store()
        try store.expectEvents(of: "field", "define", "score", "--type", "number", matching: "events-field-define.json")
    }

    @Test("import")
    func importFile() throws {
        let store = Store()
        let folder = NSTemporaryDirectory() + "ledger-command-events-file-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/base.csv"
        try Data("Email;Телефон;Ім'я\nolena@example.com;067 123 45 67;Олена\nnot-an-email;;Іван\n".utf8).write(to: URL(fileURLWithPath: file))
        try store.expectEvents(of: "import", file, "--segment", "spring", matching: "events-import.json")
    }

    @Test("import with consent columns (Mailchimp's) and a purpose")
    func importConsent() throws {
        let store = Store()
        let folder = NSTemporaryDirectory() + "ledger-command-events-file-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/unsubscribed_members_export.csv"
        try Data("""
            Email Address,Phone Number,OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,LAST_CHANGED,UNSUB_TIME,UNSUB_REASON
            olena@example.com,067 123 45 67,2023-03-14 09:12:45,198.51.100.7,2023-03-14 09:20:02,203.0.113.9,2024-09-02 07:45:00,2024-09-02 07:45:00,NORMAL

            """.utf8).write(to: URL(fileURLWithPath: file))
        try store.expectEvents(of: "import", file, "--purpose", "newsletter", matching: "events-import-consent.json")
    }

    @Test("erase")
    func erase() throws {
        let store = Store()
        try store.ledger("contact", "add", "--email", "olena@example.com", "--first-name", "Olena")
        try store.expectEvents(of: "erase", "olena@example.com", "--reason", "gdpr-request", matching: "events-erase.json")
    }

    @Test("mail queue")
    func mailQueue() throws {
        let store = Store()
        try store.ledger("contact", "add", "--email", "olena@example.com", "--first-name", "Olena")
        try store.expectEvents(of: "mail", "queue", "olena@example.com", "--template", "form:spring@3", "--reference", "tok-1",
                               "--purpose", "doi.confirmation", "--not-before", "2026-12-07T10:00:00Z", matching: "events-mail-queue.json")
        // The same reference again records nothing.
        let before = try store.lastPosition()
        try store.ledger("mail", "queue", "olena@example.com", "--template", "form:spring@3", "--reference", "tok-1")
        #expect(try store.lastPosition() == before)
    }
}
