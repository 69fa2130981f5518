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
        .membersChanged(SegmentMembersChanged(segment: "gold-mail", version: 2, cause: 41, part: 1, parts: 2, entered: [StreamID(3), StreamID(17), StreamID(300)], left: [StreamID(9)])),
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

    @Test("a change is split into parts of at most the limit, entered first, each ascending")
    func membersChangedParts() throws {
        let entered = [5, 1, 9, 3].map { StreamID(UInt64($0)) }
        let left = [4, 2].map { StreamID(UInt64($0)) }
        let parts = SegmentMembersChanged.parts(segment: "s", version: 3, cause: 70, entered: entered, left: left, maximum: 4)
        #expect(parts.map(\.part) == [1, 2] && parts.allSatisfy { $0.parts == 2 && $0.cause == 70 && $0.version == 3 })
        #expect(parts.flatMap(\.entered) == entered.sorted())
        #expect(parts.flatMap(\.left) == left.sorted())
        #expect(parts.allSatisfy { $0.entered.count + $0.left.count <= 4 })
        let empty = SegmentMembersChanged.parts(segment: "s", version: 1, cause: 2, entered: [], left: [])
        #expect(empty.count == 1 && empty[0].entered.isEmpty && empty[0].left.isEmpty, "no change is still one record")
    }

    @Test("stream lists that are not strictly ascending are malformed")
    func membersChangedOrder() throws {
        var event = SegmentEvent.membersChanged(SegmentMembersChanged(segment: "s", version: 1, cause: 2, entered: [StreamID(4), StreamID(4)], left: [])).newEvent(actor: Actor(.user, "u"), source: .cli(command: "c"))
        let error = try #require(throws: DomainEventError.self) { try LedgerEvent(decoding: try ContactEventTests.recorded(event, position: 8)) }
        #expect(error.position == 8 && error.code == .malformedData)
        event.data = SegmentEvent.membersChanged(SegmentMembersChanged(segment: "s", version: 1, cause: 2, part: 2, parts: 1, entered: [], left: [])).encodedData
        #expect(throws: DomainEventError.self) { try LedgerEvent(decoding: try ContactEventTests.recorded(event, position: 9)) }
    }
}
