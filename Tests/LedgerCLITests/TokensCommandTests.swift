import Foundation
import Testing

/// `ledger tokens …` and `ledger vapid …` end to end, on the real executable.
@Suite("ledger tokens and vapid", .serialized)
struct TokensCommandTests {
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("LedgerTokensTests/Fixtures")

    static func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    static func vapid() throws -> [String: String] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: fixtures.appendingPathComponent("vapid.json"))) as? [String: String] ?? [:]
    }

    static func json(_ outcome: Executables.Outcome) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any]
        return try #require(object, "not JSON: \(outcome.stdout) \(outcome.stderr)")
    }

    @Test("tokens import records what it snapshot says")
    func importEvents() throws {
        let store = CommandEventsTests.Store()
        try store.expectEvents(of: "tokens", "import", Self.fixture("generic.csv"), "--provider", "altcraft", "--origin", "https://shop.example",
                               matching: "events-tokens-import.json")
    }

    @Test("vapid add records the pair with its private key sealed and withheld")
    func vapidAddEvents() throws {
        let store = CommandEventsTests.Store()
        let keys = try Self.vapid()
        try store.expectEvents(of: "vapid", "add", "--public-key", keys["publicKey"] ?? "", "--private-key", keys["privateKey"] ?? "",
                               "--origin", "https://shop.example", matching: "events-vapid-add.json")
        let events = try store.ledger("events").stdout
        #expect(!events.contains(keys["privateKey"] ?? "-"))
    }

    @Test("vapid generate records a fresh pair with its private key sealed and withheld, and prints the public key")
    func vapidGenerateEvents() throws {
        let store = CommandEventsTests.Store()
        try store.expectEvents(of: "vapid", "generate", "--origin", "https://shop.example", matching: "events-vapid-generate.json")
        let line = try store.ledger("events").stdout.split(separator: "\n").last.map(String.init) ?? ""
        let event = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let payload = try #require(event["payload"] as? [String: Any])
        // The snapshot masks the random key: here it is checked for what it must be.
        let publicKey = try #require(payload["publicKey"] as? String)
        #expect(publicKey.count == 87 && publicKey.hasPrefix("B"), "base64url of a 65-byte uncompressed P-256 point: \(publicKey)")
        #expect(payload["privateKey"] as? String == "[withheld]")
        let listed = try store.ledger("vapid", "list").stdout
        #expect(listed.contains(publicKey))
        // A second pair is another key.
        let second = try store.ledger("vapid", "generate").stdout
        #expect(!second.contains(publicKey))
        #expect(try store.ledger("verify").status == 0)
    }

    @Test("tokens erase records the erasure")
    func eraseEvents() throws {
        let store = CommandEventsTests.Store()
        // Exits 2: one line of the file is refused.
        _ = try Executables.run("ledger", ["tokens", "import", Self.fixture("subscriptions.ndjson"), "--provider", "onesignal", "--origin", "https://shop.example", "--store", store.path])
        try store.expectEvents(of: "tokens", "erase", "token:1", "--reason", "gdpr-request", matching: "events-tokens-erase.json")
    }

    @Test("a VAPID pair whose private key is not the public key's is refused, and the key is not printed")
    func mismatchedVapid() throws {
        let store = CommandEventsTests.Store()
        let keys = try Self.vapid()
        let outcome = try Executables.run("ledger", ["vapid", "add", "--public-key", keys["publicKey"] ?? "", "--private-key", keys["otherPrivateKey"] ?? "", "--store", store.path])
        #expect(outcome.status == 65)
        #expect(outcome.stderr.contains("does not derive the public key"))
        #expect(!outcome.stderr.contains(keys["otherPrivateKey"] ?? "-") && !outcome.stdout.contains(keys["otherPrivateKey"] ?? "-"))
        let created = FileManager.default.fileExists(atPath: store.path + "/data.mdb")
        #expect(!created, "a refused pair creates no store")
    }

    @Test("import, report, list and provenance: the migration's checklist and each token's chain")
    func reportAndProvenance() throws {
        let store = CommandEventsTests.Store()
        let keys = try Self.vapid()
        try store.ledger("vapid", "add", "--public-key", keys["publicKey"] ?? "", "--private-key", keys["privateKey"] ?? "", "--origin", "https://shop.example")
        let partial = try Executables.run("ledger", ["tokens", "import", Self.fixture("generic.csv"), "--provider", "altcraft", "--origin", "https://shop.example", "--json", "--store", store.path])
        #expect(partial.status == 2, "a row was rejected: \(partial.stderr)")
        let summary = try Self.json(partial)
        #expect(summary["recorded"] as? Int == 7)
        let report = try Self.json(try store.ledger("tokens", "report", "--json"))
        #expect(report["tokens"] as? Int == 7)
        #expect((report["byStatus"] as? [String: Int]) == ["deliverable": 5, "needs-resubscribe": 1, "invalid": 1])
        let listed = try store.ledger("tokens", "list", "--status", "deliverable", "--json").stdout.split(separator: "\n")
        #expect(listed.count == 5)
        let text = try store.ledger("tokens", "provenance", "token:1").stdout
        #expect(text.contains("token.migrated"))
        #expect(text.contains("generic.csv row 2"))
        #expect(text.contains("deliverable"))
        let chain = try JSONSerialization.jsonObject(with: Data(try store.ledger("tokens", "provenance", "https://fcm.googleapis.com/fcm/send/gen21", "--json").stdout.utf8)) as? [[String: Any]]
        #expect(chain?.first?["token"] as? String == "token:1")
        let missing = try Executables.run("ledger", ["tokens", "provenance", "token:99", "--store", store.path])
        #expect(missing.status == 66)
        #expect(try store.ledger("verify", "--projections").status == 0)
    }

    @Test("erasing a contact erases its tokens: no output shows their values, and verify passes")
    func contactErasure() throws {
        let store = CommandEventsTests.Store()
        try store.ledger("contact", "add", "--email", "olena.kovalenko@example.com", "--external-id", "crm-1001")
        _ = try Executables.run("ledger", ["tokens", "import", Self.fixture("subscriptions.json"), "--provider", "onesignal", "--origin", "https://shop.example", "--match", "email", "--store", store.path])
        _ = try Executables.run("ledger", ["tokens", "import", Self.fixture("subscriptions.ndjson"), "--provider", "onesignal", "--origin", "https://shop.example", "--match", "external-id", "--store", store.path])
        let secrets = ["cX1a:APA91bE1", "fcm/send/nd1", "Chrome/120.0"]
        let before = try store.ledger("tokens", "provenance", "olena.kovalenko@example.com").stdout
        #expect(secrets.allSatisfy { before.contains($0) }, "the contact's two tokens, with their values: \(before)")
        // Right of access: the subject export holds the person's tokens with their chains.
        let subject = try Self.json(try store.ledger("export", "subject", "olena.kovalenko@example.com"))
        let subjectTokens = try #require(subject["tokens"] as? [[String: Any]])
        #expect(subjectTokens.compactMap { $0["token"] as? String } == ["token:1", "token:10"])
        let erased = try store.ledger("erase", "olena.kovalenko@example.com", "--reason", "gdpr-request")
        #expect(erased.stdout.contains("erased 2 push tokens"))
        let outputs = [
            try store.ledger("events").stdout,
            try store.ledger("tokens", "provenance", "token:1", "--json").stdout,
            try store.ledger("tokens", "provenance", "token:10").stdout,
            try store.ledger("tokens", "list", "--json").stdout,
            try store.ledger("tokens", "report", "--json").stdout,
            try store.ledger("export", "subject", "#1").stdout,
        ]
        for output in outputs {
            for secret in secrets { #expect(!output.contains(secret), "\(secret) in \(output.prefix(300))") }
        }
        #expect(outputs[1].contains("[erased]"))
        #expect(try store.ledger("verify", "--projections").status == 0)
        // Another anonymous token stays readable; `tokens erase` removes it by its endpoint.
        #expect(try store.ledger("tokens", "provenance", "token:2").stdout.contains("mozilla.com/wpush/v2/gAAAAABl2"))
        try store.ledger("tokens", "erase", "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABl2")
        #expect(!(try store.ledger("events").stdout.contains("gAAAAABl2")))
        #expect(try store.ledger("verify").status == 0)
    }

    @Test("a token import killed with SIGKILL and run again records every token once")
    func killedImport() throws {
        let folder = NSTemporaryDirectory() + "ledger-tokens-killed-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/subscriptions.csv"
        let p256dh = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
        var text = "endpoint,p256dh,auth\n"
        let count = 20_000
        for index in 0..<count { text += "https://fcm.googleapis.com/fcm/send/k\(index),\(p256dh),tBHItJI5svbpez7KI4CCXg\n" }
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        var generator = SystemRandomNumberGenerator()
        for round in 0..<2 {
            let store = folder + "/store-\(round)"
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Executables.path("ledger"))
            process.arguments = ["tokens", "import", file, "--provider", "p", "--origin", "https://shop.example", "--store", store, "--batch-size", "500"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32.random(in: 300_000...1_500_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(try Executables.run("ledger", ["verify", "--store", store]).status == 0)
            let rerun = try Self.json(try Executables.run("ledger", ["tokens", "import", file, "--provider", "p", "--origin", "https://shop.example", "--store", store, "--batch-size", "500", "--json"]))
            let already = rerun["alreadyRecorded"] as? Int ?? -1
            #expect(already % 500 == 0 || already == count)
            // The last batches the killed run committed past its progress mark (those in flight,
            // and those whose commit the last mark had not yet heard of, more of them on a busy
            // machine) are found known by the re-run, whole batches, and not recorded again.
            let known = rerun["alreadyKnown"] as? Int ?? -1
            #expect(known >= 0 && (known % 500 == 0 || already + known == count), "\(known) tokens known past the mark")
            #expect((rerun["recorded"] as? Int ?? 0) + already + known == count)
            let report = try Self.json(try Executables.run("ledger", ["tokens", "report", "--json", "--store", store]))
            #expect(report["tokens"] as? Int == count)
            let stats = try Self.json(try Executables.run("ledger", ["stats", "--json", "--store", store]))
            #expect(stats["events"] as? Int == count)
            #expect(try Executables.run("ledger", ["verify", "--projections", "--store", store]).status == 0)
        }
    }
}
