import LedgerDomain
import Testing

/// The token family's conformance: every type round-trips through a stored record, reads
/// through the family dispatch, keeps its personal values out of the data part, and matches
/// its committed JSON example (checked against its schema by `tools/validate-schemas`).
@Suite("Token events")
struct TokenEventTests {
    static func recorded(_ event: TokenEvent) throws -> RecordedEvent {
        try ContactEventTests.recorded(event.newEvent(actor: Actor(.user, "ops"), source: .cli(command: "tokens import")))
    }

    @Test("every token event type round-trips and reads as the tokens family", arguments: TokenEventKind.allCases)
    func roundTrip(kind: TokenEventKind) throws {
        let event = TokenEventSamples.sample(kind)
        let new = event.newEvent(actor: Actor(.user, "ops"), source: .cli(command: "tokens import"))
        #expect(new.type == kind.currentType)
        #expect(new.personalData.isEmpty == !kind.carriesPersonalData)
        let stored = try Self.recorded(event)
        #expect(try LedgerEvent(decoding: stored) == .tokens(event))
        #expect(try LedgerEvent(decoding: stored).family == .tokens)
        #expect(EventFamily(typeName: kind.name) == .tokens)
    }

    @Test("personal values never sit in the non-personal part", arguments: TokenEventKind.allCases)
    func personalValuesApart(kind: TokenEventKind) throws {
        let data = TokenEventSamples.sample(kind).encodedPayload.data
        for secret in [TokenEventSamples.endpoint, TokenEventSamples.auth, "c2VjcmV0LXNjYWxhci1vZi0zMi1ieXRlcy1sb25nLg"] {
            #expect(!String(decoding: data, as: UTF8.self).contains(secret), "\(kind.name)")
        }
    }

    @Test("sealed personal data without a key reads as erased", arguments: TokenEventKind.allCases.filter(\.carriesPersonalData))
    func erasedReading(kind: TokenEventKind) throws {
        let event = TokenEventSamples.sample(kind)
        let stored = try Self.recorded(event)
        #expect(try TokenEvent(decoding: stored, personalData: nil) == TokenEventSamples.sample(kind, erased: true))
    }

    @Test("the private key of a VAPID pair never appears in JSON")
    func privateKeyWithheld() {
        let json = TokenEventSamples.sample(.vapidKeyAdded).jsonPayload
        guard case .object(let object) = json else { Issue.record("not an object"); return }
        #expect(object["privateKey"] == .string("[withheld]"))
    }

    @Test("a truncated payload is an error naming the type, never a crash")
    func truncated() throws {
        let parts = TokenEventSamples.sample(.migrated).encodedPayload
        let error = try #require(throws: DomainEventError.self) {
            try TokenEvent.decode(type: TokenEventKind.migrated.currentType, data: parts.data.dropLast(3), personal: parts.personalData[...], position: 5)
        }
        #expect(error.code == .malformedData)
        #expect(error.position == 5)
    }

    @Test("each token event type's canonical JSON equals its committed example")
    func examples() throws {
        for kind in TokenEventKind.allCases {
            try CanonicalJSONTests.check(TokenEventSamples.sample(kind).jsonPayload, against: "events/\(kind.currentType).json")
            if kind.carriesPersonalData {
                try CanonicalJSONTests.check(TokenEventSamples.sample(kind, erased: true).jsonPayload, against: "events/\(kind.currentType).erased.json")
            }
        }
    }
}
