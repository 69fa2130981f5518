import Foundation
import LedgerDomain
import LedgerImport
import LedgerProjections
import LedgerStore
import LedgerTokens
import Testing

@Suite("Token import", .serialized)
struct TokenImporterTests {
    @Test("a PushSubscriptionJSON array: valid, flagged and invalid subscriptions recorded, unreadable entries refused")
    func jsonArray() throws {
        let fixture = try TokenFixture()
        let summary = try fixture.importFile("subscriptions.json")
        #expect(summary.format == "subscription-json")
        #expect(summary.rows == 11)
        #expect(summary.recorded == 9)
        #expect(summary.rejected == 2)
        #expect(summary.rejections.map(\.row) == [10, 11])
        #expect(summary.invalid == 2)
        #expect(summary.flagged == 2)
        let tokens = try fixture.tokens()
        #expect(tokens.count == 9)
        #expect(Set(tokens.map(\.pushService)) == ["fcm", "mozilla", "windows", "apple", "unknown"])
        #expect(tokens.contains { $0.problems == ["p256dh-not-on-curve"] })
        #expect(tokens.contains { $0.problems == ["auth-wrong-length"] })
        #expect(tokens.contains { $0.flags == ["legacy-endpoint"] })
        #expect(tokens.contains { $0.flags == ["unknown-push-service"] })
        #expect(tokens.allSatisfy { $0.provider == "onesignal" && $0.origin == "https://shop.example" })
        let expired = try #require(tokens.first { $0.expiresAt == 1_600_000_000_000_000 })
        let context = TokenStatusContext(vapidKeys: [], origins: [], now: 1_765_000_000_000_000)
        #expect(expired.status(in: context).status == .invalid)
        #expect(expired.status(in: context).reasons == ["expired"])
        let first = try #require(tokens.first)
        #expect(first.subscribedAt == 1_741_944_413_000_000, "createdAt 2025-03-14T09:26:53Z")
    }

    @Test("NDJSON: one entry a line, a broken line refused by its line number")
    func ndjson() throws {
        let fixture = try TokenFixture()
        let summary = try fixture.importFile("subscriptions.ndjson")
        #expect(summary.rows == 4)
        #expect(summary.recorded == 3)
        #expect(summary.rejections.map(\.row) == [4])
        #expect(summary.rejections.first?.reason.contains("line 4") == true)
    }

    @Test("the generic CSV with a VAPID key per row; a row without an endpoint refused, an ftp one invalid")
    func genericCSV() throws {
        let fixture = try TokenFixture()
        let keys = try TokenFixture.vapid()
        let summary = try fixture.importFile("generic.csv")
        #expect(summary.format == "csv")
        #expect(summary.rows == 8)
        #expect(summary.recorded == 7)
        #expect(summary.rejections.map(\.row) == [8])
        #expect(summary.invalid == 1)
        let tokens = try fixture.tokens()
        let fingerprint = try VapidKeyPair.fingerprint(ofPublicKey: keys.publicKey)
        #expect(tokens.filter { $0.vapidKey == fingerprint }.count == 5)
        #expect(tokens.contains { $0.problems == ["endpoint-not-https"] })
        #expect(tokens.first?.subscribedAt == 1_700_000_000_000_000, "seconds since 1970")
    }

    @Test("OneSignal's player export: device types read, e-mail, SMS and legacy Safari rows skipped with the reason")
    func oneSignal() throws {
        let fixture = try TokenFixture()
        let summary = try fixture.importFile("onesignal-players.csv")
        #expect(summary.format == "onesignal-csv")
        #expect(summary.rows == 9)
        #expect(summary.recorded == 6)
        #expect(summary.skipped == 3)
        #expect(summary.rejected == 0)
        #expect(summary.byKind == ["web": 3, "ios": 2, "android": 1])
        #expect(summary.invalid == 1)
        #expect(summary.rejections.map(\.row) == [5, 6, 9])
        #expect(summary.rejections.first?.reason.contains("device_type 11") == true)
        let tokens = try fixture.tokens()
        #expect(tokens.contains { $0.kind == .ios && $0.problems == ["apns-token-wrong-length"] })
        #expect(tokens.filter { $0.kind == .web }.allSatisfy { $0.problems.isEmpty })
    }

    @Test("the gzip-compressed OneSignal export reads as the plain one; the same tokens are then already known")
    func oneSignalGzip() throws {
        let fixture = try TokenFixture()
        let compressed = try fixture.importFile("onesignal-players.csv.gz")
        #expect(compressed.compressed)
        #expect(compressed.format == "onesignal-csv")
        #expect(compressed.recorded == 6)
        #expect(compressed.skipped == 3)
        let plain = try fixture.importFile("onesignal-players.csv")
        #expect(plain.recorded == 0)
        #expect(plain.alreadyKnown == 6)
    }

    @Test("a damaged gzip file is an error naming the file, and nothing is recorded")
    func damagedGzip() throws {
        let fixture = try TokenFixture()
        var bytes = try Data(contentsOf: TokenFixture.fixture("onesignal-players.csv.gz"))
        bytes = bytes.prefix(bytes.count / 2)
        let url = URL(fileURLWithPath: fixture.directory + "-cut.csv.gz")
        try bytes.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let error = try #require(throws: ImportFileError.self) { try fixture.importFile("", url: url) }
        #expect(error.message.contains("-cut.csv.gz"))
        #expect(try fixture.ledger.lastPosition() == 0)
    }

    @Test("re-importing a file records nothing twice")
    func idempotent() throws {
        let fixture = try TokenFixture()
        let first = try fixture.importFile("generic.csv")
        let position = try fixture.ledger.lastPosition()
        let second = try fixture.importFile("generic.csv")
        #expect(first.recorded == 7)
        #expect(second.recorded == 0)
        #expect(second.alreadyRecorded == 8)
        #expect(try fixture.ledger.lastPosition() == position)
        // Without its progress mark (another batch size, same identity), the derived ids and the
        // endpoint index still keep every token single.
        var options = fixture.options()
        options.batchSize = 2
        let third = try fixture.importFile("generic.csv", options)
        #expect(third.recorded == 0)
        #expect(try fixture.ledger.lastPosition() == position)
    }

    @Test("a dry run counts and records nothing")
    func dryRun() throws {
        let fixture = try TokenFixture()
        let summary = try fixture.importFile("subscriptions.json", fixture.options(dryRun: true))
        #expect(summary.recorded == 9)
        #expect(try fixture.ledger.lastPosition() == 0)
    }

    @Test("--match links tokens to the contacts found by e-mail or external id; the rest stay anonymous")
    func matching() throws {
        let fixture = try TokenFixture()
        let contact = try fixture.contact(email: "olena.kovalenko@example.com", externalId: "crm-1001")
        let byEmail = try fixture.importFile("subscriptions.json", fixture.options(match: .email))
        #expect(byEmail.linked == 1)
        let byExternalID = try fixture.importFile("subscriptions.ndjson", fixture.options(match: .externalID))
        #expect(byExternalID.linked == 1)
        #expect(try fixture.book.directory().tokens(ofContact: contact).count == 2)
        #expect(try fixture.tokens().filter { $0.contact == contact }.count == 2)
    }

    @Test("a column mapped to nothing known, or no endpoint column, is refused before anything is written")
    func mapping() throws {
        let fixture = try TokenFixture()
        var options = fixture.options()
        options.overrides = ["endpoint": "ignore"]
        #expect(throws: TokenImportError.self) { try fixture.importFile("generic.csv", options) }
        options.overrides = ["endpoint": "nonsense"]
        #expect(throws: TokenImportError.self) { try fixture.importFile("generic.csv", options) }
        #expect(try fixture.ledger.lastPosition() == 0)
    }

    @Test("the projection recorded from the import's own batches equals a rebuild of it, links and endpoints included")
    func recordedProjection() throws {
        let fixture = try TokenFixture()
        let contact = try fixture.contact(email: "olena.kovalenko@example.com", externalId: "crm-1001")
        let checkpoint = try fixture.book.store.read { try $0.checkpoint() }
        // Batches of 3 (the fixture's): each recorded in the projection by the importer itself.
        let summary = try fixture.importFile("subscriptions.json", fixture.options(match: .email))
        #expect(summary.linked == 1)
        #expect(try fixture.book.store.read { try $0.checkpoint() } == fixture.ledger.lastPosition())
        #expect(try fixture.book.store.read { try $0.checkpoint() } > checkpoint)
        let report = try ProjectionRebuildComparison.run(TokenProjection(), ledger: fixture.ledger, store: fixture.book.store)
        #expect(report.isValid, "\(report.differences)")
        #expect(try fixture.book.directory().tokens(ofContact: contact).count == 1)
        #expect(try fixture.book.directory().token(endpoint: "https://fcm.googleapis.com/fcm/send/cX1a:APA91bE1") != nil)
    }
}
