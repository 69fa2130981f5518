import Foundation
import LedgerDomain
import Testing

/// The segments family: stored and read back, dispatched by family, and its canonical JSON
/// held against the committed examples (`LEDGER_WRITE_EXAMPLES=1` rewrites them).
@Suite("Segment events")
struct SegmentEventTests {
    static let samples: [SegmentEvent] = [
        .ruleDefined(SegmentRuleDefined(segment: "gold-mail", version: 2, rule: #"{"all":[{"field":"tier","op":"=","value":"gold"},{"has":"email"}]}"#)),
        .refreshed(SegmentRefreshed(segment: "birthdays", version: 1)),
    ]

    @Test("each segment event reads back as itself through the family dispatch", arguments: samples)
    func roundTrip(_ event: SegmentEvent) throws {
        let stored = try ContactEventTests.recorded(event.newEvent(actor: Actor(.user, "u"), source: .cli(command: "segment define")), position: 7)
        #expect(try LedgerEvent(decoding: stored) == .segments(event))
        #expect(try LedgerEvent(decoding: stored, personalData: nil) == .segments(event))
        #expect(try LedgerEvent(decoding: stored).family == .segments)
    }

    @Test("a malformed or unknown segment event is an error naming its position, never skipped")
    func malformed() throws {
        var truncated = Self.samples[0].newEvent(actor: Actor(.user, "u"), source: .cli(command: "c"))
        truncated.data = Array(truncated.data.dropLast(3))
        let error = try #require(throws: DomainEventError.self) { try LedgerEvent(decoding: try ContactEventTests.recorded(truncated, position: 5)) }
        #expect(error.position == 5)
        let unknown = NewEvent(type: EventType("segment.rule-deleted", version: 1), actor: Actor(.user, "u"), source: .cli(command: "c"))
        let unknownError = try #require(throws: DomainEventError.self) { try LedgerEvent(decoding: try ContactEventTests.recorded(unknown, position: 6)) }
        #expect(unknownError.code == .unknownType)
    }

    @Test("each segment event's canonical JSON equals its committed example")
    func examples() throws {
        for event in Self.samples {
            try CanonicalJSONTests.check(event.jsonPayload, against: "events/\(event.type).json")
        }
    }
}
