import Dispatch
import Foundation
import LedgerDomain
import LedgerStore
import Testing

/// Another process's writer that announces its wait for the write lock
/// (`ledger-stress DIR --announced-wait`), as `ledger serve`'s does, and takes the lock when
/// `proceed` is called.
final class AnnouncedWaiter: Sendable {
    private let child: StressChild

    /// Starts the waiter; returns once it has announced. Blocks: call it off the cooperative pool.
    init(store: String) throws {
        child = try StressChild(store: store, mode: "--announced-wait", ready: "waiting")
    }

    /// Lets the waiter append its event; returns the event's position.
    func proceed() throws -> UInt64? {
        child.proceed()
        let line = try child.readLine(containing: "appended")
        child.waitUntilExit()
        return line.split(separator: " ").last.flatMap { UInt64($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// Ends the waiter without appending.
    func stop() {
        child.stop()
    }
}

/// An import's transactions let a server's waiting commit go first (`WriteTurns`, decision 0020,
/// addendum on write turns).
@Suite("Write turns between a server and an import", .serialized)
struct WriteTurnsTests {
    static func request(_ n: Int) -> AppendRequest { PipelinedCommitsTests.request(n) }

    @Test("a yielding writer that gets the write lock while another process's writer announced its wait aborts and lets it append first")
    func yieldsToAnnouncedWaiter() async throws {
        try await PipelinedCommitsTests.offPool { try Self.yieldsToAnnouncedWaiterBlocking() }
    }

    static func yieldsToAnnouncedWaiterBlocking() throws {
        try PipelinedCommitsTests.withFreshLedger { store, ledger in try yieldsToAnnouncedWaiter(store: store, ledger: ledger) }
    }

    static func yieldsToAnnouncedWaiter(store: String, ledger: Ledger) throws {
        try ledger.takeWriteTurns(as: .yields)
        _ = try ledger.append(request(0))
        #expect(ledger.writeTurnStatistics.yields == 0)
        let waiter = try AnnouncedWaiter(store: store)
        // Nobody holds the write lock: without turns this append would commit at once.
        let mine = try ledger.submit([request(1)])
        Thread.sleep(forTimeInterval: 0.3)
        #expect(!mine.isDone)
        #expect(ledger.writeTurnStatistics.yields == 1)
        let theirs = try waiter.proceed()
        let positions = try mine.wait().flatMap(\.positions)
        #expect(theirs == 2)
        #expect(positions == [3])
        #expect(ledger.writeTurnStatistics.waitsRanOut == 0)
        // Nobody waits now: the next append goes straight through.
        _ = try ledger.append(request(2))
        #expect(ledger.writeTurnStatistics.yields == 1)
    }

    @Test("a writer that neither announces nor yields does not wait for an announced waiter")
    func noRoleNoWait() async throws {
        try await PipelinedCommitsTests.offPool {
            try PipelinedCommitsTests.withFreshLedger { store, ledger in
                let waiter = try AnnouncedWaiter(store: store)
                defer { waiter.stop() }
                #expect(try ledger.append(Self.request(1)).positions == [1])
                #expect(ledger.writeTurnStatistics.yields == 0)
            }
        }
    }

    @Test("an announced waiter that never takes the lock holds a yielding writer up once, for at most the bound, not every transaction")
    func stuckWaiterHoldsUpOnce() async throws {
        try await PipelinedCommitsTests.offPool {
            try PipelinedCommitsTests.withFreshLedger { store, ledger in
                try ledger.takeWriteTurns(as: .yields)
                let waiter = try AnnouncedWaiter(store: store)
                defer { waiter.stop() }
                let started = ContinuousClock.now
                _ = try ledger.append(Self.request(1))
                #expect(ContinuousClock.now - started >= .milliseconds(900))
                #expect(ledger.writeTurnStatistics.yields == 1)
                #expect(ledger.writeTurnStatistics.waitsRanOut == 1)
                for n in 2...4 { _ = try ledger.append(Self.request(n)) }
                #expect(ledger.writeTurnStatistics.yields == 1)
            }
        }
    }
}
