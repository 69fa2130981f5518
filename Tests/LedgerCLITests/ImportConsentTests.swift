import Foundation
import Testing

/// Consent travels with imports (issue 20): a stated default per import, consent columns per
/// row (Mailchimp's among them), both times kept, and nothing recorded twice.
@Suite("ledger import: consent", .serialized)
struct ImportConsentTests {
    /// A fresh store and folder, and a `ledger` that runs on the store as user `tester`.
    final class Fixture {
        let store = NSTemporaryDirectory() + "ledger-import-consent-\(UUID().uuidString)"
        let folder = NSTemporaryDirectory() + "ledger-import-consent-files-\(UUID().uuidString)"

        init() throws {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }

        deinit {
            try? FileManager.default.removeItem(atPath: store)
            try? FileManager.default.removeItem(atPath: folder)
        }

        func ledger(_ arguments: String...) throws -> Executables.Outcome {
            try ledger(arguments)
        }

        func ledger(_ arguments: [String]) throws -> Executables.Outcome {
            try Executables.run("ledger", arguments + ["--store", store], environment: ["LEDGER_DEFAULT_REGION": "UA", "USER": "tester"])
        }

        /// Writes `text` to a file named `name` in the folder and returns its path.
        func file(_ name: String, _ text: String) throws -> String {
            let path = folder + "/" + name
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            return path
        }

        /// The import's JSON summary.
        func importJSON(_ arguments: String...) throws -> [String: Any] {
            let outcome = try ledger(["import"] + arguments + ["--json"])
            #expect(outcome.status == 0 || outcome.status == 2, "\(outcome.stderr)")
            return try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        }

        /// The consent trail of `key` as JSON entries.
        func trail(_ key: String, _ extra: String...) throws -> [[String: Any]] {
            let outcome = try ledger(["consent", key, "--history", "--json"] + extra)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            return try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [[String: Any]])
        }

        /// `consent KEY --json [extra]`'s per-channel status, e.g. `["email": "confirmed"]`.
        func statuses(_ key: String, _ extra: String...) throws -> [String: String] {
            let outcome = try ledger(["consent", key, "--json"] + extra)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let document = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
            let consent = document["consent"] as? [String: [String: Any]] ?? [:]
            return consent.compactMapValues { $0["status"] as? String }
        }
    }

    static let plainBase = "Email;Phone;First name\nolena@example.com;067 123 45 67;Олена\nivan@example.com;;Іван\n"

    @Test("the default records confirmed consent on every channel a row carries, and says so")
    func defaultConfirmed() throws {
        let fixture = try Fixture()
        let file = try fixture.file("base.csv", Self.plainBase)
        // A dry run says what the import would record.
        let dry = try fixture.importJSON(file, "--dry-run")
        let would = (dry["consent"] as? [String: Any])?["recorded"] as? [[String: Any]] ?? []
        #expect(would.map { "\($0["channel"] ?? "") \($0["status"] ?? "") \($0["contacts"] ?? "")" } == ["email confirmed 2", "sms confirmed 1"])
        let text = try fixture.ledger("import", file)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("consent (marketing): 2 contacts: email confirmed by import; 1 contact: sms confirmed by import"), "\(text.stdout)")
        #expect(try fixture.statuses("olena@example.com") == ["email": "confirmed", "sms": "confirmed"])
        #expect(try fixture.statuses("ivan@example.com") == ["email": "confirmed"])
        let trail = try fixture.trail("olena@example.com")
        #expect(trail.map { $0["method"] as? String } == ["import", "import"])
        #expect(trail.map { $0["status"] as? String } == ["confirmed", "confirmed"])
        #expect(trail.allSatisfy { ($0["source"] as? [String: Any])?["row"] as? Int == 2 })
        #expect(trail.allSatisfy { $0["occurredAt"] == nil })
    }

    @Test("--consent subscribed and --purpose, in text and JSON")
    func statedSubscribed() throws {
        let fixture = try Fixture()
        let file = try fixture.file("base.csv", Self.plainBase)
        let summary = try fixture.importJSON(file, "--consent", "subscribed", "--purpose", "newsletter")
        let consent = try #require(summary["consent"] as? [String: Any])
        #expect(consent["stated"] as? String == "subscribed")
        #expect(consent["purpose"] as? String == "newsletter")
        let recorded = try #require(consent["recorded"] as? [[String: Any]])
        #expect(recorded.map { "\($0["channel"] ?? "") \($0["status"] ?? "") \($0["contacts"] ?? "")" } == ["email subscribed 2", "sms subscribed 1"])
        let shown = try fixture.ledger("consent", "olena@example.com").stdout
        #expect(shown.contains("email/newsletter: subscribed-unconfirmed since"))
        #expect(shown.contains("by import"))
    }

    @Test("--consent none records no consent, and says so")
    func statedNone() throws {
        let fixture = try Fixture()
        let file = try fixture.file("base.csv", Self.plainBase)
        let text = try fixture.ledger("import", file, "--consent", "none")
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("consent: none recorded (--consent none)"))
        #expect(try fixture.statuses("olena@example.com").isEmpty)
        let bad = try fixture.ledger("import", file, "--consent", "maybe")
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("--consent must be confirmed, subscribed or none"))
    }

    @Test("an import never lowers a stronger consent, and never re-subscribes a withdrawal without a later time")
    func neverDowngradesOrResubscribes() throws {
        let fixture = try Fixture()
        #expect(try fixture.ledger("contact", "add", "--email", "olena@example.com").status == 0)
        #expect(try fixture.ledger("contact", "add", "--email", "ivan@example.com").status == 0)
        #expect(try fixture.ledger("consent", "set", "olena@example.com", "--channel", "email", "--status", "confirmed").status == 0)
        #expect(try fixture.ledger("consent", "set", "ivan@example.com", "--channel", "email", "--status", "unsubscribed").status == 0)
        let before = try fixture.ledger("events").stdout.split(separator: "\n").count

        // The stated default neither lowers Olena's confirmed consent nor re-subscribes Ivan.
        let base = try fixture.file("base.csv", "Email\nolena@example.com\nivan@example.com\n")
        let subscribed = try fixture.importJSON(base, "--consent", "subscribed")
        #expect(subscribed["events"] as? Int == 0)
        let confirmed = try fixture.importJSON(base)
        #expect(confirmed["events"] as? Int == 0)
        #expect(try fixture.statuses("olena@example.com") == ["email": "confirmed"])
        #expect(try fixture.statuses("ivan@example.com") == ["email": "unsubscribed"])

        // A row stating a subscription that happened before Ivan's withdrawal changes nothing.
        let old = try fixture.file("old.csv", "Email,Consent email,Optin time\nivan@example.com,subscribed,2023-05-01 10:00:00\n")
        #expect(try fixture.importJSON(old)["events"] as? Int == 0)
        #expect(try fixture.ledger("events").stdout.split(separator: "\n").count == before)
        #expect(try fixture.statuses("ivan@example.com") == ["email": "unsubscribed"])

        // One stating a subscription after it re-subscribes him, from that time.
        // Later than the withdrawal, and not after the import starts.
        let later = Self.iso(Date())
        let newer = try fixture.file("newer.csv", "Email,Consent email,Optin time\nivan@example.com,subscribed,\(later)\n")
        #expect(try fixture.importJSON(newer)["events"] as? Int == 1)
        #expect(try fixture.statuses("ivan@example.com") == ["email": "subscribed-unconfirmed"])
        let trail = try fixture.trail("ivan@example.com")
        #expect(trail.last?["occurredAt"] as? String == later)
    }

    /// Mailchimp's audience export: the subscribed file and, later, the unsubscribed file.
    static let mailchimpSubscribed = """
        Email Address,First Name,Last Name,MEMBER_RATING,OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,GMTOFF,LAST_CHANGED,TAGS
        olena@example.com,Olena,Kovalenko,4,2023-03-14 09:12:45,198.51.100.7,2023-03-14 09:20:02,203.0.113.9,2,2023-03-14 09:20:02,\"\"\"vip\"\"\"
        ivan@example.com,Ivan,Petrenko,2,2023-06-01 18:00:00,2001:db8::1,2023-06-01 18:05:30,2001:db8::2,2,2023-06-01 18:05:30,

        """
    static let mailchimpUnsubscribed = """
        Email Address,First Name,Last Name,MEMBER_RATING,OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,GMTOFF,LAST_CHANGED,TAGS,UNSUB_TIME,UNSUB_CAMPAIGN_TITLE,UNSUB_REASON
        olena@example.com,Olena,Kovalenko,4,2023-03-14 09:12:45,198.51.100.7,2023-03-14 09:20:02,203.0.113.9,2,2024-09-02 07:45:00,\"\"\"vip\"\"\",2024-09-02 07:45:00,Autumn sale,NORMAL

        """

    @Test("Mailchimp's subscribed then unsubscribed files: opt-in, confirmed, withdrawn, with the original times and IPs")
    func mailchimpTrail() throws {
        let fixture = try Fixture()
        let subscribed = try fixture.file("subscribed_members_export.csv", Self.mailchimpSubscribed)
        let first = try fixture.importJSON(subscribed, "--consent", "none")
        #expect(first["created"] as? Int == 2)
        #expect(first["rejected"] as? Int == 0, "\(first["rejections"] ?? "")")
        let between = Self.iso(Date())
        Thread.sleep(forTimeInterval: 0.01)
        let unsubscribed = try fixture.file("unsubscribed_members_export.csv", Self.mailchimpUnsubscribed)
        let second = try fixture.importJSON(unsubscribed, "--consent", "none")
        #expect(second["updated"] as? Int == 1)
        let recorded = (second["consent"] as? [String: Any])?["recorded"] as? [[String: Any]] ?? []
        #expect(recorded.map { "\($0["channel"] ?? "") \($0["status"] ?? "") \($0["contacts"] ?? "")" } == ["email unsubscribed 1"])

        let trail = try fixture.trail("olena@example.com")
        #expect(trail.map { $0["action"] as? String } == ["granted", "granted", "withdrawn"])
        #expect(trail.map { $0["status"] as? String } == ["subscribed", "confirmed", nil])
        #expect(trail.map { $0["occurredAt"] as? String } == ["2023-03-14T09:12:45.000000Z", "2023-03-14T09:20:02.000000Z", "2024-09-02T07:45:00.000000Z"])
        #expect(trail.map { $0["ipAddress"] as? String } == ["198.51.100.7", "203.0.113.9", nil])
        #expect(trail.map { $0["method"] as? String } == ["import", "import", "import"])
        #expect(trail[2]["reason"] as? String == "NORMAL")
        #expect(((trail[0]["source"] as? [String: Any])?["file"] as? String) == "subscribed_members_export.csv")
        #expect(((trail[2]["source"] as? [String: Any])?["file"] as? String) == "unsubscribed_members_export.csv")
        #expect(try fixture.trail("ivan@example.com").map { $0["ipAddress"] as? String } == ["2001:db8::1", "2001:db8::2"])

        // Both times, in the text trail and in history.
        let text = try fixture.ledger("consent", "olena@example.com", "--history").stdout
        #expect(text.contains("HAPPENED"))
        #expect(text.contains("2023-03-14T09:12:45.000000Z"))
        let history = try fixture.ledger("history", "olena@example.com").stdout
        #expect(history.contains("granted (confirmed) by import, happened 2023-03-14T09:20:02.000000Z"), "\(history)")

        // As of when things happened.
        #expect(try fixture.statuses("olena@example.com", "--at", "2023-01-01").isEmpty)
        #expect(try fixture.statuses("olena@example.com", "--at", "2023-03-14T09:15:00Z") == ["email": "subscribed-unconfirmed"])
        #expect(try fixture.statuses("olena@example.com", "--at", "2024-05-01") == ["email": "confirmed"])
        #expect(try fixture.statuses("olena@example.com", "--at", "2024-10-01") == ["email": "unsubscribed"])
        #expect(try fixture.statuses("olena@example.com") == ["email": "unsubscribed"])
        let since = try fixture.ledger("consent", "olena@example.com").stdout
        #expect(since.contains("email/marketing: unsubscribed since 2024-09-02T07:45:00.000000Z by import"), "\(since)")

        // And as the ledger knew it: before the unsubscribed file came in, confirmed.
        #expect(try fixture.statuses("olena@example.com", "--at", "2024-10-01", "--as-known-at", between) == ["email": "confirmed"])
        #expect(try fixture.trail("olena@example.com", "--as-known-at", between).count == 2)
        #expect(try fixture.ledger("verify").status == 0)
        // The projection the imports wrote (prepared creations placed) is what a fold of the log gives.
        #expect(try fixture.ledger("verify", "--projections").status == 0)
    }

    @Test("bad times and IP addresses are rejected with the row and the reason")
    func badValues() throws {
        let fixture = try Fixture()
        let file = try fixture.file("bad.csv", """
            Email,OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,Consent email
            ok@example.com,2023-03-14 09:12:45,198.51.100.7,,
            time@example.com,14th of March,198.51.100.7,,
            future@example.com,2999-01-01 00:00:00,,,
            ip@example.com,2023-03-14 09:12:45,300.1.2.3,,
            order@example.com,2023-03-14 09:12:45,,2023-03-13 09:00:00,
            status@example.com,,,,maybe

            """)
        let summary = try fixture.importJSON(file)
        #expect(summary["created"] as? Int == 1)
        let rejections = try #require(summary["rejections"] as? [[String: Any]])
        let reasons = Dictionary(uniqueKeysWithValues: rejections.map { ($0["row"] as? Int ?? 0, $0["reason"] as? String ?? "") })
        #expect(reasons[3] == "OPTIN_TIME: \"14th of March\" is not a time (write 2023-07-22 04:26:40, 2023-07-22T04:26:40Z or a date)")
        #expect(reasons[4] == "OPTIN_TIME: \"2999-01-01 00:00:00\" is in the future")
        #expect(reasons[5] == "OPTIN_IP: \"300.1.2.3\" is not an IPv4 or IPv6 address")
        #expect(reasons[6] == "consent: the confirmation time is before the opt-in time")
        #expect(reasons[7]?.hasPrefix("Consent email: \"maybe\" is not a consent status") == true)
        // Nothing of a rejected row is written.
        #expect(try fixture.ledger("contact", "show", "time@example.com").status == 66)
    }

    @Test("a re-import records nothing twice, consent included")
    func reimport() throws {
        let fixture = try Fixture()
        let file = try fixture.file("subscribed.csv", Self.mailchimpSubscribed)
        let first = try fixture.importJSON(file)
        #expect((first["events"] as? Int ?? 0) > 0)
        let count = try fixture.ledger("events").stdout.split(separator: "\n").count
        let again = try fixture.importJSON(file)
        #expect(again["events"] as? Int == 0)
        #expect(again["alreadyRecorded"] as? Int == 2)
        #expect(try fixture.ledger("events").stdout.split(separator: "\n").count == count)
    }

    static func iso(_ date: Date) -> String {
        let micros = Int64(date.timeIntervalSince1970 * 1_000_000)
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        let seconds = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(micros / 1_000_000))).dropLast()
        return "\(seconds).\(String(format: "%06d", micros % 1_000_000))Z"
    }
}
