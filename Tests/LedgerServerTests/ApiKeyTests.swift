import Foundation
import HTTPTypes
import HummingbirdTesting
import LedgerDomain
import LedgerServer
import LedgerStore
import Testing

@Suite("API keys")
struct ApiKeyTests {
    @Test("only the SHA-256 of a key is recorded; creating and revoking are events by their actor")
    func keysAreEvents() throws {
        let fixture = try ServerFixture()
        let book = try ApiKeyBook(ledger: fixture.ledger)
        let (record, secret) = try book.create(name: "crm-sync", scopes: [.contactsWrite], actor: Actor(.user, "olena"), source: .cli(command: "apikey create"))
        #expect(record.stream.category == .apiKey)
        #expect(secret.hasPrefix("clk_") && secret.count == 68)
        let events = try fixture.ledger.read(from: 1, limit: 10)
        let stored = try #require(events.first)
        #expect(stored.type == ApiKeyEvent.createdType)
        #expect(stored.actor == Actor(.user, "olena"))
        #expect(!String(decoding: stored.data, as: UTF8.self).contains(secret.dropFirst(4)))
        #expect(try LedgerEvent(decoding: stored).family == .apiKeys)

        #expect(throws: ApiKeyError.self) { try book.create(name: "crm-sync", scopes: [.contactsRead], actor: Actor(.user, "o"), source: .cli(command: "c")) }
        #expect(throws: ApiKeyError.self) { try book.create(name: "Bad Name", scopes: [.contactsRead], actor: Actor(.user, "o"), source: .cli(command: "c")) }
        #expect(throws: ApiKeyError.self) { try ApiScope.parseList("contacts:write,contacts:delete") }

        _ = try book.revoke(name: "crm-sync", actor: Actor(.user, "ivan"), source: .cli(command: "apikey revoke"))
        let table = try ApiKeyTable.load(from: fixture.ledger)
        #expect(table.keys["crm-sync"]?.isLive == false)
        #expect(table.authenticate(secret: secret) == nil)
        #expect(throws: ApiKeyError.self) { try book.revoke(name: "crm-sync", actor: Actor(.user, "o"), source: .cli(command: "c")) }
    }

    @Test("401 for a missing, unknown or revoked key, the same body for each; 403 for a missing scope")
    func authentication() async throws {
        let fixture = try ServerFixture()
        let reader = try fixture.key("reader", [.contactsRead])
        let revoked = try fixture.key("old", [.contactsWrite])
        _ = try ApiKeyBook(ledger: fixture.ledger).revoke(name: "old", actor: Actor(.user, "t"), source: .cli(command: "t"))
        try await Task.sleep(for: .milliseconds(600))
        try await fixture.test { client in
            let body = #"{"channels":[{"type":"email","value":"a@example.com"}]}"#
            var details = Set<String>()
            for key in [nil, "clk_" + String(repeating: "0", count: 64), revoked] {
                let response = try await client.send(.post, "/api/v1/contact", key: key, json: body)
                #expect(response.status == .unauthorized)
                #expect(response.headers[.contentType] == "application/problem+json")
                details.insert(response.object["detail"] as? String ?? "")
            }
            #expect(details.count == 1, "the answers tell keys apart: \(details)")
            let forbidden = try await client.send(.post, "/api/v1/contact", key: reader, json: body)
            #expect(forbidden.status == .forbidden)
            let viaHeader = try await client.send(.get, "/api/v1/contacts/a@example.com", key: nil, headers: [HTTPField.Name("X-API-Key")!: reader])
            #expect(viaHeader.status == .notFound, "authenticated by X-API-Key, and no such contact")
            let health = try await client.send(.get, "/healthz", key: nil)
            #expect(health.status == .ok)
        }
        #expect(try fixture.ledger.read(from: 1, limit: 100).allSatisfy { $0.stream.category == .apiKey })
    }

    @Test("over the rate limit a key gets 429 with Retry-After")
    func rateLimit() async throws {
        // One request per 100 s: the second is over the limit however slow the machine is.
        let fixture = try ServerFixture(rateLimit: 0.01)
        let key = try fixture.key("crm")
        try await fixture.test { client in
            var statuses = [Int]()
            for _ in 0..<2 {
                let response = try await client.send(.get, "/api/v1/contacts/a@example.com", key: key)
                statuses.append(response.status.code)
                if response.status == .tooManyRequests { #expect(response.headers[.retryAfter] != nil) }
            }
            #expect(statuses == [404, 429], "\(statuses)")
        }
    }
}
