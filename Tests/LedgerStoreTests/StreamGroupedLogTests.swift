import Foundation
import LedgerDomain
@testable import LedgerStore
import Testing

@Suite("The log grouped by stream")
struct StreamGroupedLogTests {
    /// Every group's stream, and its events' positions and plain personal data, in order.
    static func contents(_ log: StreamGroupedLog) throws -> [(StreamID, [(UInt64, [UInt8]?)])] {
        try (0..<log.streamCount).map { index in
            var events = [(UInt64, [UInt8]?)]()
            try log.forEachEvent(ofStreamAt: index) { event, personal in
                #expect(event.stream == log.stream(at: index))
                events.append((event.position, personal))
            }
            #expect(events.count == log.eventCount(ofStreamAt: index))
            return (log.stream(at: index), events)
        }
    }

    @Test("interleaved streams come out grouped, streams ascending, each in log order, with plain personal data")
    func grouping() throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(directory: directory.path)
        defer { ledger.close() }
        let keyA = DataKey.random()
        let a = try ledger.append(AppendRequest.newStream([try KeyVaultTests.sealedEvent(keyA)], dataKey: keyA)).stream
        let b = try ledger.append(AppendRequest.newStream([testEvent(data: "b1")])).stream
        _ = try ledger.append([
            AppendRequest(target: .existing(a), events: [try KeyVaultTests.sealedEvent(keyA)]),
            AppendRequest(target: .existing(b), events: [testEvent(data: "b2")]),
            AppendRequest(target: .existing(a), events: [try KeyVaultTests.sealedEvent(keyA)]),
        ])
        let all = try ledger.read(from: 1, limit: 10)
        let found = try ledger.withStreamGroupedLog { log in
            #expect(log.eventCount == 5)
            #expect(log.last == 5)
            return try Self.contents(log)
        }
        #expect(found.map { $0.0 } == [a, b])
        #expect(found[0].1.map { $0.0 } == [1, 3, 5])
        #expect(found[1].1.map { $0.0 } == [2, 4])
        for (position, personal) in found[0].1 {
            let id = all[Int(position) - 1].id
            #expect(personal == KeyVaultTests.plain(id))
        }
        #expect(found[1].1.map { $0.1 } == [Array("personal b1".utf8), Array("personal b2".utf8)])

        // A bound stops the snapshot there.
        let bounded = try ledger.withStreamGroupedLog(through: 3) { try Self.contents($0) }
        #expect(bounded.map { $0.1.map { $0.0 } } == [[1, 3], [2]])
    }

    @Test("scanning in two halves at once finds what one scan finds")
    func halves() throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(directory: directory.path)
        defer { ledger.close() }
        let streams = try KeyVaultTests.populate(ledger, count: 5)
        for round in 0..<3 {
            _ = try ledger.append(streams.reversed().map { AppendRequest(target: .existing($0), events: [testEvent(data: "r\(round)")]) })
        }
        func summary(_ found: [(StreamID, [(UInt64, [UInt8]?)])]) -> [String] {
            found.map { "\($0.0): " + $0.1.map { "\($0.0)=\($0.1.map { String(decoding: $0, as: UTF8.self) } ?? "nil")" }.joined(separator: ",") }
        }
        let once = try ledger.withStreamGroupedLog(through: nil, halvesFrom: .max) { try Self.contents($0) }
        #expect(once.count == 5)
        for bound in [nil, 2, 7, 20] as [UInt64?] {
            let expected = try ledger.withStreamGroupedLog(through: bound, halvesFrom: .max) { try Self.contents($0) }
            let halved = try ledger.withStreamGroupedLog(through: bound, halvesFrom: 2) { try Self.contents($0) }
            #expect(summary(halved) == summary(expected))
        }
    }

    @Test("a stream whose key was destroyed reads with no personal data; other streams are untouched")
    func shredded() throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(directory: directory.path)
        defer { ledger.close() }
        let streams = try KeyVaultTests.populate(ledger, count: 3)
        #expect(try ledger.shred(streams[1]))
        let found = try ledger.withStreamGroupedLog { try Self.contents($0) }
        #expect(found.map { $0.0 } == streams)
        #expect(found[0].1[0].1 != nil)
        #expect(found[1].1[0].1 == nil)
        #expect(found[2].1[0].1 != nil)
    }

    @Test("an empty log has no streams")
    func empty() throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(directory: directory.path)
        defer { ledger.close() }
        let (streams, last) = try ledger.withStreamGroupedLog { ($0.streamCount, $0.last) }
        #expect(streams == 0)
        #expect(last == 0)
    }

    @Test("dense and sparse stream numbers group alike (counting sort and comparison sort)")
    func sortsAgree() {
        var random = SystemRandomNumberGenerator()
        let dense = (0..<2_000).map { _ in UInt64.random(in: 1...300, using: &random) }
        let sparse = dense.map { $0 << 40 }
        let byCounting = StreamGroupedLog.grouping(dense, maxStream: dense.max() ?? 0)
        let bySorting = StreamGroupedLog.grouping(sparse, maxStream: sparse.max() ?? 0)
        #expect(byCounting.order == bySorting.order)
        #expect(byCounting.groups.map(\.stream) == bySorting.groups.map { $0.stream >> 40 })
        #expect(byCounting.groups.map(\.count) == bySorting.groups.map(\.count))
        // Each group is one stream's events, in log order.
        for group in byCounting.groups {
            let indexes = byCounting.order[group.start..<(group.start + group.count)].map(Int.init)
            #expect(indexes == indexes.sorted())
            #expect(indexes.allSatisfy { dense[$0] == group.stream })
        }
        #expect(byCounting.groups.reduce(0) { $0 + $1.count } == dense.count)
    }
}
