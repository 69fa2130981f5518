import Foundation
import LedgerDomain
@testable import LedgerStore
import Testing

/// Each stream category numbers its streams on its own: contacts stay 1, 2, 3, … whatever
/// system streams are made between them.
@Suite("Stream categories")
struct StreamCategoryTests {
    @Test("a stream number carries its category in bits 48 to 52, and contacts are category 0")
    func numbers() {
        #expect(StreamID(7).category == .contact)
        #expect(StreamID(7).numberInCategory == 7)
        let schema = StreamID(category: .schema, number: 1)
        #expect(schema.rawValue == 1 << 48 | 1)
        #expect(schema.category == .schema)
        #expect(schema.numberInCategory == 1)
        #expect(StreamID(category: .outbox, number: 5).rawValue < 1 << 53, "exact in JSON")
        #expect(StreamID(31 << 48).category == nil)
    }

    @Test("interleaved new streams of several categories are numbered per category, across merges and reopening", arguments: [1, 5, 100_000])
    func allocation(threshold: Int) throws {
        let directory = TemporaryDirectory()
        var expected = [StreamCategory: UInt64]()
        var made = [StreamID]()
        let categories: [StreamCategory] = [.contact, .schema, .contact, .token, .contact, .token, .outbox, .contact]
        for session in 0..<3 {
            let ledger = try Ledger(directory: directory.path, options: .init(streamIndexMergeThreshold: threshold))
            // One batch mixing categories, then requests one at a time.
            let batch = categories.map { category in
                AppendRequest(target: category == .contact ? .new : .newIn(category), expected: .noStream, events: [testEvent()])
            }
            for (category, result) in zip(categories, try ledger.append(batch)) {
                expected[category, default: 0] += 1
                #expect(result.stream == StreamID(category: category, number: expected[category] ?? 0), "session \(session)")
                made.append(result.stream)
            }
            for category in [StreamCategory.token, .contact, .schema] {
                let result = try ledger.append(AppendRequest(target: .newIn(category), expected: .noStream, events: [testEvent(), testEvent()]))
                expected[category, default: 0] += 1
                #expect(result.stream == StreamID(category: category, number: expected[category] ?? 0))
                made.append(result.stream)
            }
            // Every stream reads back; stats count each category.
            for stream in made { #expect(try ledger.version(of: stream) >= 1) }
            let stats = try ledger.stats()
            #expect(stats.streamsByCategory["contact"] == expected[.contact])
            #expect(stats.streamsByCategory["token"] == expected[.token])
            #expect(stats.streams == UInt64(made.count))
            #expect(try ledger.verify().isValid)
            ledger.close()
        }
    }

    @Test("a request that fails gives its new stream number back, in its own category")
    func release() throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(directory: directory.path)
        defer { ledger.close() }
        let first = try ledger.append(AppendRequest(target: .newIn(.form), expected: .noStream, events: [testEvent()])).stream
        let id = EventID.timeOrdered()
        _ = try ledger.append(AppendRequest(target: .existing(first), events: [testEvent(id: id)]))
        // A new form stream whose only event is already recorded writes nothing.
        let duplicate = try ledger.append(AppendRequest(target: .newIn(.form), expected: .noStream, events: [testEvent(id: id)]))
        #expect(duplicate.wasDuplicate)
        let next = try ledger.append(AppendRequest(target: .newIn(.form), expected: .noStream, events: [testEvent()])).stream
        #expect(next == StreamID(category: .form, number: 2))
    }

    @Test("the log grouped by stream puts other categories after the contacts, each stream in log order")
    func grouping() throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(directory: directory.path)
        defer { ledger.close() }
        let schema = try ledger.append(AppendRequest(target: .newIn(.schema), expected: .noStream, events: [testEvent(data: "s1")])).stream
        let a = try ledger.append(.newStream([testEvent(data: "a1")])).stream
        let token = try ledger.append(AppendRequest(target: .newIn(.token), expected: .noStream, events: [testEvent(data: "t1")])).stream
        let b = try ledger.append(.newStream([testEvent(data: "b1")])).stream
        _ = try ledger.append([
            AppendRequest(target: .existing(schema), events: [testEvent(data: "s2")]),
            AppendRequest(target: .existing(a), events: [testEvent(data: "a2")]),
            AppendRequest(target: .existing(token), events: [testEvent(data: "t2")]),
        ])
        #expect([a, b] == [StreamID(1), StreamID(2)])
        let found = try ledger.withStreamGroupedLog { log in try StreamGroupedLogTests.contents(log) }
        #expect(found.map(\.0) == [a, b, schema, token])
        #expect(found.map { $0.1.map(\.0) } == [[2, 6], [4], [1, 5], [3, 7]])
    }

    @Test("the counting sort and the comparison sort group a mixed log alike")
    func groupingAgreesWithSort() {
        var generator = SeededGenerator(seed: 7)
        let systemStreams: [UInt64] = [
            StreamID(category: .schema, number: 1).rawValue, StreamID(category: .token, number: 1).rawValue,
            StreamID(category: .token, number: 2).rawValue, StreamID(category: .outbox, number: 9).rawValue,
        ]
        let pool = Array(UInt64(1)...40) + systemStreams
        let streams = (0..<2_000).map { _ in pool[Int.random(in: 0..<pool.count, using: &generator)] }
        let (order, groups) = StreamGroupedLog.grouping(streams, maxStream: streams.max() ?? 0)
        let sorted = streams.indices.sorted { (streams[$0], $0) < (streams[$1], $1) }
        #expect(order.map(Int.init) == sorted)
        #expect(groups.map(\.stream) == Array(Set(streams)).sorted())
        for group in groups {
            #expect(order[group.start..<(group.start + group.count)].allSatisfy { streams[Int($0)] == group.stream })
        }
    }
}
