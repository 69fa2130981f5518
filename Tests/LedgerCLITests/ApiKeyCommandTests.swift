import Foundation
import Testing

/// `ledger apikey create|list|revoke`: the key is printed once, only its hash is recorded, and
/// creating and revoking are events by the person who ran the command.
@Suite("API key commands", .serialized)
struct ApiKeyCommandTests {
    @Test("apikey create records apikey.created by the user, and prints the key once")
    func create() throws {
        let store = CommandEventsTests.Store()
        try store.expectEvents(of: "apikey", "create", "crm-sync", "--scopes", "contacts:write,contacts:read", matching: "events-apikey-create.json")
        let events = try store.ledger("events").stdout
        let json = try store.ledger("apikey", "create", "second", "--scopes", "audit:read", "--json").stdout
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let key = try #require(object["key"] as? String)
        #expect(key.hasPrefix("clk_"))
        #expect(!(try store.ledger("events").stdout.contains(String(key.dropFirst(4)))), "the secret is in the log")
        #expect(!events.isEmpty)
        let list = try store.ledger("apikey", "list").stdout
        #expect(list.contains("crm-sync") && list.contains("second") && list.contains("user:tester"))
        #expect(!list.contains(String(key.dropFirst(4))))
        let audit = try store.ledger("audit", "actor", "user:tester").stdout
        #expect(audit.contains("apikey.created"))
    }

    @Test("apikey revoke records apikey.revoked; a second revoke, a bad name or scope are refused")
    func revoke() throws {
        let store = CommandEventsTests.Store()
        try store.ledger("apikey", "create", "crm-sync", "--scopes", "contacts:write")
        try store.expectEvents(of: "apikey", "revoke", "crm-sync", matching: "events-apikey-revoke.json")
        let again = try Executables.run("ledger", ["apikey", "revoke", "crm-sync", "--store", store.path])
        #expect(again.status == 66, "\(again.stderr)")
        let name = try Executables.run("ledger", ["apikey", "create", "Bad Name", "--scopes", "contacts:read", "--store", store.path])
        #expect(name.status == 64, "\(name.stderr)")
        let scope = try Executables.run("ledger", ["apikey", "create", "ok", "--scopes", "contacts:delete", "--store", store.path])
        #expect(scope.status == 64, "\(scope.stderr)")
        #expect(scope.stderr.contains("contacts:delete"))
        let taken = try Executables.run("ledger", ["apikey", "create", "crm-sync", "--scopes", "contacts:read", "--store", store.path])
        #expect(taken.status == 65, "\(taken.stderr)")
    }
}
