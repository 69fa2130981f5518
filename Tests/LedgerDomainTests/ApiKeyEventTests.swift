import Foundation
import LedgerDomain
import Testing

/// The API-key family (decision 0018): round trips, the family dispatch, and the committed
/// examples `tools/validate-schemas` checks against the schemas.
@Suite("API-key events")
struct ApiKeyEventTests {
    static let created = ApiKeyEvent.created(ApiKeyCreated(name: "crm-sync", scopes: ["contacts:write", "contacts:read"], secretSHA256: (0..<32).map { UInt8($0 * 5) }))
    static let revoked = ApiKeyEvent.revoked(ApiKeyRevoked(name: "crm-sync"))

    @Test("each event reads back as written, through the family dispatch", arguments: [created, revoked])
    func roundTrip(event: ApiKeyEvent) throws {
        let stored = try ContactEventTests.recorded(event.newEvent(actor: Actor(.user, "olena"), source: .cli(command: "apikey create")), position: 3)
        #expect(try ApiKeyEvent(decoding: stored) == event)
        #expect(try LedgerEvent(decoding: stored) == .apiKeys(event))
        #expect(try LedgerEvent(decoding: stored).family == .apiKeys)
        #expect(try LedgerEvent(decoding: stored).contactEvent == nil, "contact projectors pass over it")
        #expect(EventFamily(typeName: event.type.name) == .apiKeys)
    }

    @Test("an unknown version or trailing bytes are errors naming the type, never a crash")
    func refusals() throws {
        var new = Self.revoked.newEvent(actor: Actor(.user, "u"), source: .cli(command: "c"))
        new.type = EventType("apikey.revoked", version: 9)
        #expect(throws: DomainEventError.self) { try ApiKeyEvent(decoding: try ContactEventTests.recorded(new)) }
        new = Self.revoked.newEvent(actor: Actor(.user, "u"), source: .cli(command: "c"))
        new.data += [1, 2]
        let error = try #require(throws: DomainEventError.self) { try ApiKeyEvent(decoding: try ContactEventTests.recorded(new, position: 5)) }
        #expect(error.code == .malformedData)
        #expect(error.position == 5)
    }

    @Test("the canonical JSON equals the committed examples")
    func examples() throws {
        try CanonicalJSONTests.check(Self.created.jsonPayload, against: "events/apikey.created.v1.json")
        try CanonicalJSONTests.check(Self.revoked.jsonPayload, against: "events/apikey.revoked.v1.json")
        #expect(Self.created.jsonPayload == .object([
            "name": .string("crm-sync"), "scopes": .array([.string("contacts:write"), .string("contacts:read")]),
            "secretSha256": .string((0..<32).map { String(format: "%02x", $0 * 5) }.joined()),
        ]))
    }
}
