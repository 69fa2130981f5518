import Foundation
import LedgerDomain
import LedgerProjections
import LedgerStore
import LedgerTokens
import Testing

@Suite("Token book", .serialized)
struct TokenBookTests {
    static func subscription(_ endpoint: String, p256dh: String = TokenCheckTests.p256dh) throws -> TokenSubscription {
        let checked = try TokenCheck.web(endpoint: endpoint, p256dh: p256dh, auth: TokenCheckTests.auth)
        return TokenSubscription(
            kind: .web, origin: "https://shop.example", pushService: checked.pushService, problems: checked.problems, flags: checked.flags,
            secret: .known(TokenSecret(endpoint: endpoint, p256dh: p256dh, auth: TokenCheckTests.auth)))
    }

    static let source = Source.api(key: "site", requestID: "r")

    @Test("a token refreshed twice keeps its whole chain in one stream; only the newest endpoint finds it")
    func refreshedTwice() throws {
        let fixture = try TokenFixture()
        let token = try fixture.book.subscribe(try Self.subscription("https://fcm.googleapis.com/fcm/send/one"), actor: fixture.actor, source: Self.source)
        try fixture.book.refresh(token, to: try Self.subscription("https://fcm.googleapis.com/fcm/send/two"), reason: "pushsubscriptionchange", actor: fixture.actor, source: Self.source)
        try fixture.book.refresh(token, to: try Self.subscription("https://updates.push.services.mozilla.com/wpush/v2/three"), reason: "pushsubscriptionchange", actor: fixture.actor, source: Self.source)
        let chain = try TokenProvenance(ledger: fixture.ledger, stream: token)
        #expect(chain.entries.map(\.decoded.kind) == [.subscribed, .refreshed, .refreshed])
        let endpoints = chain.entries.compactMap { entry -> String? in
            switch entry.decoded {
            case .subscribed(let subscribed): subscribed.subscription.secret.value?.endpoint
            case .refreshed(let refreshed): refreshed.subscription.secret.value?.endpoint
            default: nil
            }
        }
        #expect(endpoints.count == 3 && endpoints.last?.hasSuffix("three") == true)
        let state = try fixture.book.token(token)
        #expect(state.refreshes == 2)
        #expect(state.pushService == "mozilla")
        let directory = try fixture.book.directory()
        #expect(try directory.token(endpoint: "https://fcm.googleapis.com/fcm/send/one") == nil)
        #expect(try directory.token(endpoint: "https://fcm.googleapis.com/fcm/send/two") == nil)
        #expect(try directory.token(endpoint: "https://updates.push.services.mozilla.com/wpush/v2/three") == token)
        let check = try #require(ProjectionCatalog.named("tokens")).check(fixture.ledger)
        #expect(check.differences.isEmpty)
    }

    @Test("endpoint and keys are sealed at rest under the token's own key")
    func sealed() throws {
        let fixture = try TokenFixture()
        let endpoint = "https://fcm.googleapis.com/fcm/send/sealed-at-rest"
        let token = try fixture.book.subscribe(try Self.subscription(endpoint), actor: fixture.actor, source: Self.source)
        #expect(try fixture.ledger.hasDataKey(token))
        for event in try fixture.ledger.readStream(token) {
            #expect(event.personalDataSealed)
            #expect(!String(decoding: Array(event.personalData), as: UTF8.self).contains("sealed-at-rest"))
        }
    }

    @Test("deliverable needs our VAPID key and origin; otherwise needs-resubscribe or invalid with the reason")
    func statuses() throws {
        let fixture = try TokenFixture()
        let keys = try TokenFixture.vapid()
        let fingerprint = try VapidKeyPair.fingerprint(ofPublicKey: keys.publicKey)
        _ = try fixture.importFile("generic.csv")
        var other = fixture.options(vapidKey: fingerprint)
        other.origin = "https://other.example"
        _ = try fixture.importFile("subscriptions.ndjson", other)
        let now: Int64 = 1_765_000_000_000_000
        func counts() throws -> [String: Int] {
            let context = try fixture.book.directory().statusContext(now: now)
            var counts = [String: Int]()
            for state in try fixture.tokens() {
                let (status, reasons) = state.status(in: context)
                counts["\(status.label):\(reasons.joined(separator: ","))", default: 0] += 1
            }
            return counts
        }
        // No VAPID key held yet, so no origin is served either.
        #expect(try counts()["needs-resubscribe:unknown-vapid-key,other-origin"] == 9)
        _ = try fixture.book.addVapidKey(try VapidKeyPair(publicKey: keys.publicKey, privateKey: keys.privateKey), origins: ["https://shop.example"], generated: false, actor: fixture.actor, source: .cli(command: "vapid add"))
        let after = try counts()
        #expect(after["deliverable:"] == 5)
        #expect(after["needs-resubscribe:unknown-vapid-key"] == 1)
        #expect(after["invalid:endpoint-not-https"] == 1)
        #expect(after["needs-resubscribe:other-origin"] == 3)
        let revoked = try #require(try fixture.tokens().first { $0.status(in: try fixture.book.directory().statusContext(now: now)).status == .deliverable })
        try fixture.book.revoke(revoked.stream, status: 410, actor: fixture.actor, source: Self.source)
        #expect(try counts()["invalid:revoked"] == 1)
        #expect(throws: TokenError.self) { try fixture.book.revoke(revoked.stream, status: 500, actor: fixture.actor, source: Self.source) }
    }

    @Test("a VAPID key already held is refused; the private key is sealed and never in the projection")
    func vapidKeys() throws {
        let fixture = try TokenFixture()
        let keys = try TokenFixture.vapid()
        let pair = try VapidKeyPair(publicKey: keys.publicKey, privateKey: keys.privateKey)
        let record = try fixture.book.addVapidKey(pair, origins: ["https://Shop.Example"], generated: false, actor: fixture.actor, source: .cli(command: "vapid add"))
        #expect(record.origins == ["https://shop.example"])
        #expect(record.stream.category == .vapidKey)
        #expect(throws: TokenError.self) { try fixture.book.addVapidKey(pair, origins: [], generated: false, actor: fixture.actor, source: .cli(command: "vapid add")) }
        for event in try fixture.ledger.readStream(record.stream) {
            #expect(event.personalDataSealed)
            #expect(!String(decoding: Array(event.personalData), as: UTF8.self).contains(keys.privateKey))
            #expect(!String(decoding: Array(event.data), as: UTF8.self).contains(keys.privateKey))
        }
    }

    @Test("erasing a contact erases its tokens: values read as erased, indexes drop them, verify and the projection check pass")
    func contactErasure() throws {
        let fixture = try TokenFixture()
        let contact = try fixture.contact(email: "olena.kovalenko@example.com", externalId: "crm-1001")
        _ = try fixture.importFile("subscriptions.json", fixture.options(match: .email))
        let linked = try fixture.book.directory().tokens(ofContact: contact)
        #expect(linked.count == 1)
        let erasure = try fixture.book.eraseTokens(ofContacts: [contact], actor: fixture.actor, source: .cli(command: "erase"))
        #expect(erasure.tokens == linked)
        #expect(erasure.keysDestroyed == 1)
        let token = try #require(linked.first)
        let chain = try TokenProvenance(ledger: fixture.ledger, stream: token)
        #expect(chain.entries.last?.decoded.kind == .erased)
        if case .migrated(let migrated) = chain.entries.first?.decoded {
            #expect(migrated.subscription.secret == .erased)
        } else {
            Issue.record("the chain starts with \(String(describing: chain.entries.first?.decoded.kind))")
        }
        #expect(try fixture.book.directory().tokens(ofContact: contact).isEmpty)
        #expect(try fixture.book.directory().token(endpoint: "https://fcm.googleapis.com/fcm/send/cX1a:APA91bE1") == nil)
        #expect(try fixture.book.token(token).erased)
        #expect(try fixture.ledger.verify().isValid)
        #expect(try #require(ProjectionCatalog.named("tokens")).check(fixture.ledger).differences.isEmpty)
        #expect(throws: TokenError.self) {
            try fixture.book.refresh(token, to: try Self.subscription("https://fcm.googleapis.com/fcm/send/again"), reason: "x", actor: fixture.actor, source: Self.source)
        }
        // Erasing again finishes nothing more and fails nothing.
        #expect(try fixture.book.erase(token, reason: "again", actor: fixture.actor, source: Self.source).keysDestroyed == 0)
    }

    @Test("a rebuild of the token projection equals the incremental one")
    func rebuild() throws {
        let fixture = try TokenFixture()
        _ = try fixture.importFile("onesignal-players.csv")
        _ = try fixture.importFile("subscriptions.json")
        let before = try fixture.tokens()
        _ = try fixture.book.runner.rebuild()
        let runner = ProjectionRunner(ledger: fixture.ledger, projection: TokenProjection())
        let store = try runner.openStore()
        defer { store.close() }
        var after = [TokenState]()
        try TokenDirectory(store: store).forEach { after.append($0) }
        #expect(after == before)
    }
}
