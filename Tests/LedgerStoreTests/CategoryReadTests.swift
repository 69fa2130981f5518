import Foundation
import LedgerDomain
import LedgerStore
import Testing

/// Reads by stream category: a category's last stream, and the events of one category after a
/// position (what a follower of the outbox reads), against the log read in full.
@Suite("Reading one category")
struct CategoryReadTests {
    @Test("the last stream of a category, and a category's events after a position, match the whole log's", arguments: [1, 100_000])
    func matchesTheLog(threshold: Int) throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(directory: directory.path, options: .init(streamIndexMergeThreshold: threshold))
        defer { ledger.close() }
        #expect(try ledger.lastStream(in: .outbox) == nil)
        var generator = SeededGenerator(seed: 19)
        var outbox = [StreamID]()
        for round in 0..<60 {
            let category: StreamCategory = [.contact, .outbox, .token][Int.random(in: 0..<3, using: &generator)]
            if category == .outbox, let existing = outbox.randomElement(using: &generator), Bool.random(using: &generator) {
                _ = try ledger.append(AppendRequest(target: .existing(existing), events: [testEvent(data: "again \(round)")]))
            } else {
                let result = try ledger.append(AppendRequest(target: category == .contact ? .new : .newIn(category), expected: .noStream, events: [testEvent(data: "\(round)")]))
                if category == .outbox { outbox.append(result.stream) }
            }
        }
        #expect(try ledger.lastStream(in: .outbox) == outbox.max())
        var all = [RecordedEvent]()
        try ledger.forEachEvent { all.append($0) }
        for after in [0, 1, 17, UInt64(all.count - 1), UInt64(all.count)] {
            let (events, last) = try ledger.events(in: .outbox, after: after)
            #expect(events.map(\.position) == all.filter { $0.position > after && $0.stream.category == .outbox }.map(\.position))
            #expect(last == max(after, UInt64(all.count)))
        }
        let (limited, last) = try ledger.events(in: .outbox, after: 0, limit: 2)
        #expect(limited.count == 2)
        #expect(last == limited[1].position, "a limited read ends at its last event, so the next read starts after it")
    }
}
