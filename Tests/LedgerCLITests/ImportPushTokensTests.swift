import Foundation
import Testing

/// Mobile and web-push tokens travel with contacts in `ledger import` (issues 18 and 20): token
/// columns are recognised, checked as `tokens import` checks them, linked to the row's contact
/// through the token family, and `--consent` covers their channels.
@Suite("ledger import: push tokens", .serialized)
struct ImportPushTokensTests {
    /// An APNs device token (64 hex characters) and an FCM registration token (its alphabet, 152 characters).
    static let apns = "9f2c4e6a8b0d1f3e5c7a9b1d3f5e7c9a0b2d4f6e8a1c3e5b7d9f0a2c4e6b8d0f"
    static let fcm = "cJ9kQ2xR7mT:APA91bH" + String(repeating: "x1Yz_-Ab", count: 17)
    /// A web-push subscription's keys: a point on P-256 and a 16-byte secret.
    static let p256dh = "BNOWnzE8hgp4Pm1iIXOcFMJGZtAKTITrwQIqFgYfgB7hwTc4ldW7adI9bieHousWYEOr9LPGjneiq0hFj-parzU"
    static let auth = "Qm9vdHMgYW5kIGJ5dGVzIQ"

    static func json(_ outcome: Executables.Outcome) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any], "not JSON: \(outcome.stdout) \(outcome.stderr)")
    }

    /// A Reteno-shaped base: each contact's app token with its platform and app.
    static var mobileBase: String {
        """
        Email;Phone;Mobile token;Platform;App ID
        olena@example.com;067 123 45 67;\(apns);ios;com.shop.app
        ivan@example.com;;\(fcm);android;com.shop.app
        petro@example.com;;\(apns.dropLast());ios;com.shop.app
        maria@example.com;;;;

        """
    }

    @Test("mobile tokens become push channels of their contacts, with consent; a bad token rejects its row with the reason")
    func mobileTokens() throws {
        let fixture = try ImportConsentTests.Fixture()
        let file = try fixture.file("reteno.csv", Self.mobileBase)
        let outcome = try fixture.ledger("import", file, "--json")
        #expect(outcome.status == 2, "one row is refused: \(outcome.stderr)")
        let summary = try Self.json(outcome)
        #expect(summary["created"] as? Int == 3)
        #expect((summary["pushTokens"] as? [String: Any])?["recorded"] as? Int == 2)
        let rejections = summary["rejections"] as? [[String: Any]] ?? []
        #expect(rejections.count == 1)
        #expect(rejections.first?["row"] as? Int == 4)
        #expect((rejections.first?["reason"] as? String)?.contains("APNs device token is 64 hexadecimal characters") == true, "\(rejections)")
        // The token is a stream of its own, linked to the contact, with the whole chain.
        let chain = try #require(try JSONSerialization.jsonObject(with: Data(try fixture.ledger("tokens", "provenance", "olena@example.com", "--json").stdout.utf8)) as? [[String: Any]])
        #expect(chain.count == 1)
        let events = try fixture.ledger("tokens", "provenance", "olena@example.com").stdout
        #expect(events.contains("token.migrated") && events.contains("token.linked"), "\(events)")
        #expect(events.contains(Self.apns))
        // --consent (confirmed by default) covers the push channel as it does e-mail and SMS.
        #expect(try fixture.statuses("olena@example.com") == ["email": "confirmed", "sms": "confirmed", "mobilepush": "confirmed"])
        #expect(try fixture.statuses("ivan@example.com") == ["email": "confirmed", "mobilepush": "confirmed"])
        #expect(try fixture.statuses("maria@example.com") == ["email": "confirmed"])
        let report = try Self.json(try fixture.ledger("tokens", "report", "--json"))
        #expect(report["tokens"] as? Int == 2)
        #expect(try fixture.ledger("verify", "--projections").status == 0)
        // Run again: nothing is recorded twice.
        let events1 = try fixture.ledger("events").stdout.split(separator: "\n").count
        let again = try Self.json(try fixture.ledger("import", file, "--json"))
        #expect((again["pushTokens"] as? [String: Any])?["recorded"] as? Int ?? 0 == 0)
        #expect(try fixture.ledger("events").stdout.split(separator: "\n").count == events1)
    }

    @Test("web-push columns need --origin; with it each subscription is checked and linked")
    func webPush() throws {
        let fixture = try ImportConsentTests.Fixture()
        let file = try fixture.file("webpush.csv", """
            email,webpush_endpoint,p256dh,keys.auth
            olena@example.com,https://fcm.googleapis.com/fcm/send/olena-1,\(Self.p256dh),\(Self.auth)
            ivan@example.com,https://fcm.googleapis.com/fcm/send/ivan-1,BAAA,\(Self.auth)

            """)
        let refused = try fixture.ledger("import", file)
        #expect(refused.status != 0 && refused.status != 2)
        #expect(refused.stderr.contains("--origin"), "\(refused.stderr)")
        let outcome = try fixture.ledger("import", file, "--origin", "https://shop.example", "--consent", "subscribed", "--json")
        #expect(outcome.status == 2, "\(outcome.stderr)")
        let summary = try Self.json(outcome)
        #expect((summary["pushTokens"] as? [String: Any])?["recorded"] as? Int == 1)
        let reason = (summary["rejections"] as? [[String: Any]])?.first?["reason"] as? String ?? ""
        #expect(reason.contains("web push") && reason.contains("p256dh"), "\(reason)")
        #expect(try fixture.statuses("olena@example.com") == ["email": "subscribed-unconfirmed", "webpush": "subscribed-unconfirmed"])
        let listed = try fixture.ledger("tokens", "list", "--json").stdout
        #expect(listed.contains("\"web\"") && listed.contains("https://shop.example"), "\(listed)")
        #expect(try fixture.ledger("verify", "--projections").status == 0)
    }

    @Test("--map names a token column the headers do not; a platform column without a token stays a field")
    func mapping() throws {
        let fixture = try ImportConsentTests.Fixture()
        let file = try fixture.file("crm.csv", "email;Token;platform\nolena@example.com;\(Self.fcm);web shop\n")
        let plain = try Self.json(try fixture.ledger("import", file, "--json"))
        #expect(plain["pushTokens"] == nil)
        #expect(try fixture.ledger("contact", "show", "olena@example.com").stdout.contains("web shop"))
        let mapped = try fixture.ledger("import", file, "--map", "Token=mobile-token", "--map", "platform=ignore", "--push-platform", "android", "--json")
        #expect(mapped.status == 0, "\(mapped.stderr)")
        #expect((try Self.json(mapped)["pushTokens"] as? [String: Any])?["recorded"] as? Int == 1)
        let missing = try fixture.ledger("import", file, "--map", "Token=mobile-token", "--map", "platform=ignore")
        #expect(missing.stderr.contains("--push-platform"), "\(missing.stderr)")
    }
}
