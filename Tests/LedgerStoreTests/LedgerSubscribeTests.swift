import Foundation
import LedgerDomain
import LedgerStore
import Testing

@Suite("Subscriptions")
struct LedgerSubscribeTests {
    @Test("a subscription catches up on stored events, then follows new appends")
    func catchUpThenFollow() async throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(directory: directory.path)
        defer { ledger.close() }
        _ = try await ledger.append((0..<10).map { _ in .newStream([testEvent()]) })
        var received = [UInt64]()
        let appender = Task {
            try await Task.sleep(for: .milliseconds(100))
            for _ in 0..<5 { _ = try await ledger.append(.newStream([testEvent()])) }
        }
        for try await event in ledger.subscribe(from: 4, batchSize: 3) {
            received.append(event.position)
            if received.count == 12 { break }
        }
        try await appender.value
        #expect(received == Array(4...15))
    }

    @Test("reading from a position past the end returns nothing")
    func readPastEnd() throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(directory: directory.path)
        defer { ledger.close() }
        _ = try ledger.append(.newStream([testEvent()]))
        #expect(try ledger.read(from: 2, limit: 10).isEmpty)
        #expect(try ledger.read(from: 0, limit: 10).map(\.position) == [1])
    }
}
