import LedgerDomain
@testable import LedgerProjections
import Testing

/// Facts folded in their stored form (`SegmentFacts.record(_:envelope:stored:)`, which writes
/// over times in place) leave the same bytes as the plain fold (decode, `record`, encode).
@Suite("Segment facts in their stored form")
struct SegmentFactsTests {
    /// An envelope from a few times, actors and sources, so that events often repeat the
    /// time, source or file of the one before (nothing to write) and sometimes do not.
    static func envelope(_ random: inout SeededGenerator) -> FactEnvelope {
        let time = Int64.random(in: 1...4, using: &random) * 1_000_000
        let actor = [Actor(.user, "ann"), Actor(.apiKey, "crm"), Actor(.system, "ledger")][Int.random(in: 0..<3, using: &random)]
        let kind = UInt8.random(in: 1...6, using: &random)
        let file = kind == 1 ? ["a.csv", "b.csv", "файл.csv"][Int.random(in: 0..<3, using: &random)] : nil
        return FactEnvelope(recordedAt: time, actor: actor, sourceKind: kind, file: file)
    }

    @Test("every event leaves the bytes the plain fold leaves, and says whether they changed", arguments: [31, 32, 33, 34] as [UInt64])
    func sameAsThePlainFold(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        var events = RandomEvents(seed: seed + 100)
        var plain = SegmentFacts()
        var stored = SegmentFacts.emptyEncoding
        for step in 0..<600 {
            let event = events.event()
            let envelope = Self.envelope(&random)
            let before = stored
            let changed = try SegmentFacts.record(event, envelope: envelope, stored: &stored)
            plain.record(event, envelope: envelope)
            #expect(stored == plain.encoded(), "step \(step): \(event)")
            #expect(changed == (stored != before), "step \(step): changed says \(changed)")
            #expect(try stored.withUnsafeBytes { try SegmentFacts(decoding: $0) } == plain)
        }
    }

    @Test("an event that moves no time and keeps the source's kind changes nothing")
    func unchangedWhenNothingMoves() throws {
        var stored = SegmentFacts.emptyEncoding
        let first = FactEnvelope(recordedAt: 5, actor: Actor(.user, "ann"), sourceKind: 2, file: nil)
        #expect(try SegmentFacts.record(Events.created(), envelope: first, stored: &stored))
        #expect(try SegmentFacts.record(Events.set(.standard(.firstName), .text("Ann")), envelope: first, stored: &stored))
        let kept = stored
        #expect(try !SegmentFacts.record(Events.added(.email, "a@example.com"), envelope: first, stored: &stored))
        #expect(try !SegmentFacts.record(Events.set(.standard(.firstName), .text("Olena")), envelope: first, stored: &stored))
        #expect(stored == kept)
        let later = FactEnvelope(recordedAt: 6, actor: Actor(.user, "bob"), sourceKind: 2, file: nil)
        #expect(try SegmentFacts.record(Events.set(.standard(.firstName), .text("Ann")), envelope: later, stored: &stored))
        let facts = try stored.withUnsafeBytes { try SegmentFacts(decoding: $0) }
        #expect(facts.fieldChangedAt == [.standard(.firstName): 6])
        #expect(facts.createdBy == Actor(.user, "ann"))
    }

    @Test("stored facts of another shape are an error, not a crash")
    func malformed() {
        var stored: [UInt8] = [1, 1, 200]
        #expect(throws: BinaryFormatError.self) {
            try SegmentFacts.record(Events.set(.standard(.firstName), nil), envelope: FactEnvelope(recordedAt: 1, actor: Actor(.user, "a"), sourceKind: 2, file: nil), stored: &stored)
        }
    }
}

/// Pending segment writes held as numbers sort as their stored keys do.
@Suite("Segment keys held as numbers")
struct SegmentKeyOrderTests {
    @Test("sorting by segment, stream and position is sorting the stored keys' bytes")
    func sameOrderAsTheBytes() {
        let names = ["b", "a", "ab", "a b", "Z", "ж", "aa", "a-", "é", "e\u{301}", "segment-10", "segment-9"]
        let order = SegmentKeyOrder(names)
        var random = SeededGenerator(seed: 5)
        var keys = [(member: SegmentPendingWrites.Member, position: UInt64)]()
        for _ in 0..<400 {
            let member = SegmentPendingWrites.Member(segment: Int.random(in: 0..<names.count, using: &random),
                                                     stream: StreamID([1, 255, 256, 65_536, UInt64.random(in: 1...1_000_000, using: &random)][Int.random(in: 0..<5, using: &random)]))
            keys.append((member, [1, 255, 256, UInt64.random(in: 1...(1 << 40), using: &random)][Int.random(in: 0..<4, using: &random)]))
        }
        for (member, position) in keys {
            #expect(order.key(member) == SegmentKeys.member(names[member.segment], member.stream))
            #expect(order.key(member, position: position) == SegmentKeys.history(names[member.segment], member.stream, position))
        }
        let byNumbers = keys.sorted { order.precedes($0.member, $0.position, $1.member, $1.position) }.map { order.key($0.member, position: $0.position) }
        let byBytes = keys.map { order.key($0.member, position: $0.position) }.sorted { $0.lexicographicallyPrecedes($1) }
        #expect(byNumbers == byBytes)
    }
}
