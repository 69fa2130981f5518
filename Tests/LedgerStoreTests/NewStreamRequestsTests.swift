import LedgerDomain
@testable import LedgerStore
import Testing

/// A bulk writer's chunks of new streams (`NewStreamRequests`) held to the plain path: an
/// `AppendRequest` per stream with its own `EncodedEvents`.
@Suite("New-stream requests in one buffer")
struct NewStreamRequestsTests {
    /// Three streams of one, two and one events, split over two chunks, with and without keys.
    static func streams() -> [[(events: [NewEvent], key: DataKey?)]] {
        let first = [(events: [testEvent(data: "a", id: EventID(high: 1, low: 1))], key: DataKey.random() as DataKey?)]
        let second = [
            (events: [testEvent(data: "b", id: EventID(high: 1, low: 2)), testEvent("test.followed", data: "c", id: EventID(high: 1, low: 3))], key: DataKey.random() as DataKey?),
            (events: [testEvent(data: "d", id: EventID(high: 1, low: 4))], key: nil),
        ]
        return [first, second]
    }

    static func parts(_ chunks: [[(events: [NewEvent], key: DataKey?)]]) throws -> [NewStreamRequests] {
        try chunks.map { chunk in
            var part = NewStreamRequests()
            for stream in chunk {
                try part.append(newIn: .token, dataKey: stream.key) { encoded in
                    for event in stream.events { encoded.append(event) }
                }
            }
            return part
        }
    }

    static func requests(_ chunks: [[(events: [NewEvent], key: DataKey?)]]) -> [AppendRequest] {
        chunks.flatMap { chunk in
            chunk.map { stream in
                var encoded = EncodedEvents()
                for event in stream.events { encoded.append(event) }
                return AppendRequest(target: .newIn(.token), expected: .noStream, events: [], dataKey: stream.key, encoded: encoded)
            }
        }
    }

    @Test("the batch laid out from chunks is the batch of one request per stream")
    func sameBatch() throws {
        let chunks = Self.streams()
        let progress = ProgressMark(key: "bulk", value: 9)
        let fromParts = EncodedBatch(try Self.parts(chunks), progress: progress)
        let fromRequests = try EncodedBatch(Self.requests(chunks), progress: progress)
        #expect(fromParts.bytes == fromRequests.bytes)
        #expect(fromParts.offsets == fromRequests.offsets)
        #expect(fromParts.progress == fromRequests.progress)
        #expect(fromParts.requests.count == 3)
        for (left, right) in zip(fromParts.requests, fromRequests.requests) {
            #expect(left.target == right.target)
            #expect(left.expected == right.expected)
            #expect(left.events == right.events)
            #expect((left.dataKey == nil) == (right.dataKey == nil))
            #expect(left.identity == nil && right.identity == nil)
        }
    }

    @Test("submitted, each stream is a new one of its category with its events in order and its key stored")
    func appended() throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(directory: directory.path)
        defer { ledger.close() }
        let chunks = Self.streams()
        let results = try ledger.submit(newStreams: Self.parts(chunks), progress: ProgressMark(key: "bulk", value: 3)).wait()
        #expect(results.map(\.positions) == [[1], [2, 3], [4]])
        #expect(results.allSatisfy { $0.stream.category == .token })
        #expect(Set(results.map(\.stream)).count == 3)
        #expect(try ledger.progress(for: "bulk") == 3)
        let read = try ledger.read(from: 1, limit: 10)
        #expect(read.map(\.id) == [EventID(high: 1, low: 1), EventID(high: 1, low: 2), EventID(high: 1, low: 3), EventID(high: 1, low: 4)])
        #expect(read.map(\.version) == [1, 1, 2, 1])
        #expect(try ledger.dataKey(for: results[0].stream) != nil)
        #expect(try ledger.dataKey(for: results[2].stream) == nil)
        // The same ids again are duplicates, not new streams.
        let again = try ledger.submit(newStreams: Self.parts(chunks)).wait()
        #expect(again.allSatisfy { $0.wasDuplicate })
    }

    @Test("a stream whose encoding fails, or that has no event, adds nothing")
    func failedStream() throws {
        var part = NewStreamRequests()
        try part.append(newIn: .token, dataKey: nil) { $0.append(testEvent(id: EventID(high: 2, low: 1))) }
        struct Refused: Error {}
        #expect(throws: Refused.self) {
            try part.append(newIn: .token, dataKey: nil) { encoded in
                encoded.append(testEvent(id: EventID(high: 2, low: 2)))
                throw Refused()
            }
        }
        #expect(throws: LedgerError.self) { try part.append(newIn: .token, dataKey: nil) { _ in } }
        #expect(part.count == 1)
        #expect(part.events.count == 1)
        var alone = EncodedEvents()
        alone.append(testEvent(id: EventID(high: 2, low: 1)))
        #expect(part.events.bytes == alone.bytes)
    }
}
