import Foundation
import Synchronization
import LedgerDomain
import LedgerStore
import Testing

@Suite("Appending to the ledger")
struct LedgerAppendTests {
    @Test("a recorded time is never earlier than the event before it, even when the clock is set back")
    func timesNeverGoBack() throws {
        let directory = TemporaryDirectory()
        let times = Mutex<[Int64]>([2_000_000, 1_000_000, 3_000_000])
        let clock: @Sendable () -> Int64 = { times.withLock { $0.count > 1 ? $0.removeFirst() : $0[0] } }
        let ledger = try Ledger(directory: directory.path, options: .init(clock: clock))
        defer { ledger.close() }
        _ = try ledger.append(.newStream([testEvent(data: "one")]))
        _ = try ledger.append(.newStream([testEvent(data: "two")]))
        _ = try ledger.append(.newStream([testEvent(data: "three")]))
        let recorded = try ledger.read(from: 1, limit: 10).map(\.recordedAt)
        #expect(recorded == [2_000_000, 2_000_000, 3_000_000])
        #expect(try ledger.verify().isValid)
    }

    @Test("events appended to a new stream read back in order with their envelope")
    func appendAndReadBack() throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(directory: directory.path, options: .init(clock: fixedClock))
        defer { ledger.close() }
        let correlation = EventID.timeOrdered()
        var first = testEvent("contact.created", data: "one")
        first.correlationID = correlation
        first.source = .file(name: "base.csv", sha256: FileDigest(bytes: [UInt8](repeating: 7, count: 32)) ?? .zero, row: 12)
        let result = try ledger.append(.newStream([first, testEvent(data: "two")]))
        #expect(result.stream == StreamID(1))
        #expect(result.positions == [1, 2])
        #expect(result.version == 2)
        #expect(result.duplicates == 0)

        let events = try ledger.readStream(result.stream)
        #expect(events.map(\.version) == [1, 2])
        #expect(events.map { Array($0.data) } == [Array("one".utf8), Array("two".utf8)])
        #expect(events[0].type == EventType("contact.created", version: 1))
        #expect(events[0].id == first.id)
        #expect(events[0].correlationID == correlation)
        #expect(events[0].causationID == nil)
        #expect(events[0].actor == Actor(.user, "tester"))
        #expect(events[0].source == first.source)
        #expect(events[0].recordedAt == fixedClock())
        #expect(Array(events[1].personalData) == Array("personal two".utf8))
        #expect(try ledger.position(of: first.id) == 1)
        #expect(try ledger.event(at: 2)?.id == events[1].id)
        #expect(try ledger.event(at: 3) == nil)
        #expect(try ledger.lastPosition() == 2)
    }

    @Test("new streams get consecutive numbers and existing streams continue their versions")
    func streamNumbering() throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(directory: directory.path)
        defer { ledger.close() }
        let results = try ledger.append([.newStream([testEvent()]), .newStream([testEvent()]), .newStream([testEvent()])])
        #expect(results.map(\.stream) == [StreamID(1), StreamID(2), StreamID(3)])
        let update = try ledger.append(AppendRequest(target: .existing(StreamID(2)), expected: .exact(1), events: [testEvent(), testEvent()]))
        #expect(update.version == 3)
        #expect(update.positions == [4, 5])
        #expect(try ledger.version(of: StreamID(2)) == 3)
        #expect(try ledger.version(of: StreamID(9)) == 0)
        #expect(try ledger.append(.newStream([testEvent()])).stream == StreamID(4))
    }

    @Test("a wrong expected version is a conflict and writes nothing")
    func expectedVersionConflict() throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(directory: directory.path)
        defer { ledger.close() }
        let stream = try ledger.append(.newStream([testEvent(), testEvent()])).stream
        for expected in [ExpectedVersion.exact(1), .exact(3), .noStream] {
            let error = #expect(throws: LedgerError.self) {
                try ledger.append(AppendRequest(target: .existing(stream), expected: expected, events: [testEvent()]))
            }
            #expect(error?.code == .wrongExpectedVersion)
            #expect(error?.message.contains("stream 1") == true)
            #expect(error?.message.contains("version 2") == true)
        }
        #expect(try ledger.lastPosition() == 2)
        let missing = #expect(throws: LedgerError.self) {
            try ledger.append(AppendRequest(target: .existing(StreamID(42)), events: [testEvent()]))
        }
        #expect(missing?.code == .streamNotFound)
        #expect(try ledger.verify().isValid)
    }

    @Test("a batch with one failing request records none of its requests")
    func batchIsAtomic() throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(directory: directory.path)
        defer { ledger.close() }
        let stream = try ledger.append(.newStream([testEvent()])).stream
        #expect(throws: LedgerError.self) {
            try ledger.append([
                .newStream([testEvent(), testEvent()]),
                AppendRequest(target: .existing(stream), expected: .exact(5), events: [testEvent()]),
            ])
        }
        #expect(try ledger.lastPosition() == 1)
        #expect(try ledger.stats().streams == 1)
        #expect(try ledger.append(.newStream([testEvent()])).stream == StreamID(2))
        #expect(try ledger.verify().isValid)
    }

    @Test("appending an event id that is already recorded returns the original position")
    func duplicateEventID() throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(directory: directory.path)
        defer { ledger.close() }
        let request = AppendRequest.newStream([testEvent(data: "a"), testEvent(data: "b")])
        let first = try ledger.append(request)
        _ = try ledger.append(.newStream([testEvent()]))
        let retry = try ledger.append(request)
        #expect(retry.positions == first.positions)
        #expect(retry.stream == first.stream)
        #expect(retry.wasDuplicate)
        #expect(try ledger.lastPosition() == 3)
        // A retry with a stale expectation is still recognised as the same request.
        let retryExact = try ledger.append(AppendRequest(target: .existing(first.stream), expected: .exact(0), events: request.events))
        #expect(retryExact.positions == first.positions)
        #expect(try ledger.lastPosition() == 3)
        #expect(try ledger.verify().isValid)
    }

    @Test("a request mixing recorded and new ids appends the new ones only when any version is accepted")
    func partialDuplicate() throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(directory: directory.path)
        defer { ledger.close() }
        let recorded = testEvent(data: "recorded")
        let first = try ledger.append(.newStream([recorded]))
        let fresh = testEvent(data: "fresh")
        let strict = #expect(throws: LedgerError.self) {
            try ledger.append(AppendRequest(target: .existing(first.stream), expected: .exact(1), events: [recorded, fresh]))
        }
        #expect(strict?.code == .partialDuplicate)
        #expect(try ledger.lastPosition() == 1)
        let lenient = try ledger.append(AppendRequest(target: .existing(first.stream), expected: .any, events: [recorded, fresh]))
        #expect(lenient.positions == [1, 2])
        #expect(lenient.duplicates == 1)
        #expect(lenient.version == 2)
        #expect(try ledger.verify().isValid)
    }

    @Test("an empty request is refused before it reaches the writer")
    func emptyRequest() throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(directory: directory.path)
        defer { ledger.close() }
        let error = #expect(throws: LedgerError.self) { try ledger.append(.newStream([])) }
        #expect(error?.code == .invalidRequest)
    }

    @Test("concurrent writers share commits, and one writer's conflict leaves the others' events intact")
    func groupCommitIsolation() async throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(directory: directory.path)
        defer { ledger.close() }
        let stream = try await ledger.append(.newStream([testEvent()])).stream
        // Keep the writer busy so the next submissions queue up and share one transaction.
        let big = try ledger.submit((0..<400).map { _ in .newStream((0..<25).map { _ in testEvent() }) })
        let good1 = try ledger.submit([.newStream([testEvent(data: "good1")])])
        let bad = try ledger.submit([
            .newStream([testEvent(data: "undone")]),
            AppendRequest(target: .existing(stream), expected: .exact(7), events: [testEvent()]),
        ])
        let good2 = try ledger.submit([AppendRequest(target: .existing(stream), expected: .exact(1), events: [testEvent(data: "good2")])])
        _ = try big.wait()
        let first = try good1.wait()
        #expect(throws: LedgerError.self) { try bad.wait() }
        let second = try good2.wait()
        #expect(second.first?.version == 2)
        #expect(try ledger.event(at: first[0].positions[0]).map { Array($0.data) } == Array("good1".utf8))
        #expect(try ledger.lastPosition() == 1 + 10_000 + 2)
        let report = try ledger.verify()
        #expect(report.isValid, "\(report.faults)")

        // Many tasks at once: every append lands exactly once.
        try await withThrowingTaskGroup(of: AppendResult.self) { group in
            for index in 0..<200 {
                group.addTask { try await ledger.append(.newStream([testEvent(data: "task \(index)")])) }
            }
            var streams = Set<StreamID>()
            for try await result in group { streams.insert(result.stream) }
            #expect(streams.count == 200)
        }
        #expect(try ledger.verify().isValid)
        let statistics = ledger.writerStatistics
        #expect(statistics.commits < statistics.appends)
    }

    @Test("a store opened with a 1 MiB map grows without losing events")
    func mapGrowth() throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(directory: directory.path, options: .init(initialMapSize: 1 << 20))
        defer { ledger.close() }
        let payload = String(repeating: "x", count: 500)
        for batch in 0..<40 {
            _ = try ledger.append((0..<50).map { index in .newStream([testEvent(data: "\(batch)-\(index) \(payload)")]) })
        }
        let stats = try ledger.stats()
        #expect(stats.events == 2000)
        #expect(stats.mapSize > 1 << 20)
        var count = 0
        try ledger.forEachEvent { event in
            count += 1
            #expect(event.position == UInt64(count))
        }
        #expect(count == 2000)
        #expect(try ledger.verify().isValid)
    }

    @Test("a store is reopened with its events and continues its chain")
    func reopen() throws {
        let directory = TemporaryDirectory()
        do {
            let ledger = try Ledger(directory: directory.path)
            _ = try ledger.append(.newStream([testEvent(), testEvent()]))
            ledger.close()
        }
        let ledger = try Ledger(directory: directory.path)
        defer { ledger.close() }
        let result = try ledger.append(AppendRequest(target: .existing(StreamID(1)), expected: .exact(2), events: [testEvent()]))
        #expect(result.positions == [3])
        #expect(try ledger.verify().isValid)
    }
}

@Suite("Records prepared while a commit is in flight")
struct PreparedGroupTests {
    @Test("batches of new streams queued behind a commit land in order and chain correctly")
    func pipelinedNewStreams() throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(directory: directory.path)
        defer { ledger.close() }
        var pending = [PendingAppend]()
        for batch in 0..<20 {
            pending.append(try ledger.submit((0..<50).map { index in .newStream([testEvent(data: "\(batch)-\(index)"), testEvent()]) }))
        }
        var expectedStream: UInt64 = 1
        var expectedPosition: UInt64 = 1
        for handle in pending {
            for result in try handle.wait() {
                #expect(result.stream == StreamID(expectedStream))
                #expect(result.positions == [expectedPosition, expectedPosition + 1])
                expectedStream += 1
                expectedPosition += 2
            }
        }
        let report = try ledger.verify()
        #expect(report.isValid, "\(report.faults)")
        #expect(report.events == 2000)
        #expect(try ledger.readStream(StreamID(777)).map(\.version) == [1, 2])
    }

    @Test("a prepared group with an already recorded id falls back and answers with the original positions")
    func preparedDuplicateFallsBack() throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(directory: directory.path)
        defer { ledger.close() }
        let original = AppendRequest.newStream([testEvent(data: "original")])
        let first = try ledger.append(original)
        // Keep the writer busy so that the retry queues behind a commit and is prepared.
        let busy = try ledger.submit((0..<200).map { _ in .newStream((0..<10).map { _ in testEvent() }) })
        let retry = try ledger.submit([original])
        let fresh = try ledger.submit([.newStream([testEvent(data: "fresh")])])
        _ = try busy.wait()
        let retried = try retry.wait()
        #expect(retried.first?.positions == first.positions)
        #expect(retried.first?.wasDuplicate == true)
        let freshResult = try #require(try fresh.wait().first)
        #expect(freshResult.stream == StreamID(202))
        #expect(try ledger.lastPosition() == 1 + 2000 + 1)
        let report = try ledger.verify()
        #expect(report.isValid, "\(report.faults)")
    }
}
