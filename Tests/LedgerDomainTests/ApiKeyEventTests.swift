import Foundation
import LedgerDomain
import Testing

/// The API-key family (decision 0018): round trips, the family dispatch, and the committed
/// examples `tools/validate-schemas` checks against the schemas.
@Suite("API-key events")
struct ApiKeyEventTests {
    static let created = ApiKeyEvent.created(ApiKeyCreated(name: "crm-sync", scopes: ["contacts:write", "contacts:read"], secretSHA256: (0..<32).map { UInt8($0 * 5) }))
    static let revoked = ApiKeyEvent.revoked(ApiKeyRevoked(name: "crm-sync"))
    static let recordedReply = ApiRequestRecorded(
        route: "POST /api/v1/contacts", session: "2f1c9a4e-0b7d-4c55-9a1e-3d2b6f8e7a10", idempotent: true, status: 200,
        reply: .known(.init(fingerprint: (0..<32).map { UInt8($0 * 7 & 0xFF) }, body: #"{"asyncSessionId":"2f1c9a4e-0b7d-4c55-9a1e-3d2b6f8e7a10","results":[{"id":1,"index":0,"result":"created"}]}"#)))
    static let requestRecorded = ApiKeyEvent.requestRecorded(recordedReply)
    static let requestRecordedErased = ApiKeyEvent.requestRecorded(ApiRequestRecorded(
        route: recordedReply.route, session: recordedReply.session, idempotent: true, status: 200, reply: .erased))

    @Test("each event reads back as written, through the family dispatch", arguments: [created, revoked, requestRecorded])
    func roundTrip(event: ApiKeyEvent) throws {
        let new = event.newEvent(actor: Actor(.user, "olena"), source: .cli(command: "apikey create"))
        let stored = try ContactEventTests.recorded(new, position: 3)
        #expect(try ApiKeyEvent(decoding: stored, personalData: new.personalData) == event)
        #expect(try LedgerEvent(decoding: stored, personalData: new.personalData) == .apiKeys(event))
        #expect(try LedgerEvent(decoding: stored).family == .apiKeys)
        #expect(try LedgerEvent(decoding: stored).contactEvent == nil, "contact projectors pass over it")
        #expect(EventFamily(typeName: event.type.name) == .apiKeys)
    }

    @Test("a recorded request read without its unsealed personal part shows its reply as erased")
    func recordedWithoutKey() throws {
        let new = Self.requestRecorded.newEvent(actor: Actor(.apiKey, "crm-sync"), source: .cli(command: "test"))
        #expect(!new.personalData.isEmpty)
        let stored = try ContactEventTests.recorded(new, position: 4)
        #expect(try ApiKeyEvent(decoding: stored, personalData: nil) == Self.requestRecordedErased)
        #expect(Self.requestRecordedErased.name == nil)
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
        try CanonicalJSONTests.check(Self.requestRecorded.jsonPayload, against: "events/apikey.request-recorded.v1.json")
        try CanonicalJSONTests.check(Self.requestRecordedErased.jsonPayload, against: "events/apikey.request-recorded.v1.erased.json")
        #expect(Self.created.jsonPayload == .object([
            "name": .string("crm-sync"), "scopes": .array([.string("contacts:write"), .string("contacts:read")]),
            "secretSha256": .string((0..<32).map { String(format: "%02x", $0 * 5) }.joined()),
        ]))
    }
}
