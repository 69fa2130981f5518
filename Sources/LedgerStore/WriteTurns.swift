#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// How a writer that answers people (the server) gets LMDB's write lock ahead of a bulk writer
/// in another process (an import) without waiting through two of its transactions
/// (decision 0020, addendum on write turns).
///
/// LMDB's write lock is a process-shared mutex, and not a fair one: when the import commits
/// with the server waiting, the import's writer, whose next batch is ready, often takes the
/// lock again before the server's thread has woken, and the server waits a second hold. So the
/// store has a second lock file, `write-turns.lock` (flock(2), released when a process dies):
///
/// - a writer that **announces** holds it shared from just before `mdb_txn_begin` until that
///   returns: "I am waiting for the write lock";
/// - a writer that **yields** looks at it (an exclusive lock tried without waiting) right after
///   its own `mdb_txn_begin` returns, before it has written anything. Held by someone, it aborts
///   the empty transaction, which lets the waiter in, waits until the waiter has the lock (the
///   file is free again; at most `waiterBound`), and begins again; that time it does not look.
///   So it yields once per commit at most, and a steady stream of announced commits cannot
///   starve it: the two alternate.
///
/// A waiter that does not take the lock within `waiterBound` (stopped, or waiting for a third
/// process) is taken to be stuck: the yielding writer stops looking until it finds the file
/// free once.
///
/// The flock calls are made on the ledger's writer thread only (two a transaction); a writer
/// with neither role makes none.
final class WriteTurns: Sendable {
    typealias Role = Ledger.WriteTurnRole

    /// Thrown inside the write transaction of a writer that yields: the transaction is aborted
    /// before anything was written, and begun again once the waiter has had its turn.
    struct Yielded: Error {}

    /// How long a yielding writer waits for an announced waiter to take the lock.
    static let waiterBound = Duration.seconds(1)

    private let path: String
    private let role = Atomic<UInt8>(Role.none.rawValue)
    /// The lock file, opened when a role is first taken; -1 before.
    private let descriptor = Atomic<Int32>(-1)
    /// Whether this ledger's writer is waiting for the write lock now (`announce` to
    /// `endAnnouncement`, whatever the role).
    private let waiting = Atomic<Bool>(false)
    /// Whether this writer's wait is marked now (announcing writers; the writer thread only).
    private let announced = Atomic<Bool>(false)
    /// Whether a waiter ran out `waiterBound` and has not been seen gone since.
    private let stuckWaiter = Atomic<Bool>(false)
    private let yieldCounter = Atomic<Int>(0)
    private let ranOutCounter = Atomic<Int>(0)

    /// The turns of the store in `directory`; no file is opened until a role is taken.
    init(directory: String) {
        path = directory + "/write-turns.lock"
    }

    deinit {
        let descriptor = descriptor.load(ordering: .acquiring)
        if descriptor >= 0 { close(descriptor) }
    }

    /// Makes this ledger's writer take `role` from its next transaction on.
    func take(_ role: Role) throws {
        if role != .none, descriptor.load(ordering: .acquiring) < 0 {
            let opened = try PrivateFiles.open(path, O_RDWR)
            if !descriptor.compareExchange(expected: -1, desired: opened, ordering: .acquiringAndReleasing).exchanged {
                close(opened)
            }
        }
        self.role.store(role.rawValue, ordering: .releasing)
    }

    /// The role taken, `.none` unless `take` was called.
    var current: Role { Role(rawValue: role.load(ordering: .relaxed)) ?? .none }

    /// Called by the writer right before it asks for the write lock: an announcing writer's
    /// mark that it waits for it (failures are ignored: the mark only orders turns, it guards
    /// nothing); for every writer, `waitsForLock` turns true.
    func announce() {
        waiting.store(true, ordering: .relaxed)
        guard current == .announces else { return }
        let descriptor = descriptor.load(ordering: .acquiring)
        while flock(descriptor, LOCK_SH) != 0 {
            guard errno == EINTR else { return }
        }
        announced.store(true, ordering: .relaxed)
    }

    /// Takes the mark away once the writer has the lock (or gave up on it).
    func endAnnouncement() {
        waiting.store(false, ordering: .relaxed)
        guard announced.exchange(false, ordering: .relaxed) else { return }
        flock(descriptor.load(ordering: .acquiring), LOCK_UN)
    }

    /// For a yielding writer that has just got the write lock: whether another process announced
    /// that it waits for it (so this writer should abort and let it in).
    func waiterAnnounced() -> Bool {
        guard current == .yields else { return false }
        let descriptor = descriptor.load(ordering: .acquiring)
        guard Self.tryExclusive(descriptor) else { return !stuckWaiter.load(ordering: .relaxed) }
        flock(descriptor, LOCK_UN)
        stuckWaiter.store(false, ordering: .relaxed)
        return false
    }

    /// After yielding: waits until the announced waiters have the write lock (the file is free),
    /// polling every 0.1 ms, for at most `waiterBound`.
    func letWaiterIn() {
        yieldCounter.add(1, ordering: .relaxed)
        let descriptor = descriptor.load(ordering: .acquiring)
        let deadline = ContinuousClock.now + Self.waiterBound
        while true {
            if Self.tryExclusive(descriptor) {
                flock(descriptor, LOCK_UN)
                return
            }
            if ContinuousClock.now >= deadline {
                stuckWaiter.store(true, ordering: .relaxed)
                ranOutCounter.add(1, ordering: .relaxed)
                return
            }
            usleep(100)
        }
    }

    /// Whether the writer is between asking for the write lock and getting it.
    var waitsForLock: Bool { waiting.load(ordering: .relaxed) }

    /// Transactions aborted for an announced waiter, and waits for one that ran out.
    var statistics: (yields: Int, waitsRanOut: Int) {
        (yieldCounter.load(ordering: .relaxed), ranOutCounter.load(ordering: .relaxed))
    }

    private static func tryExclusive(_ descriptor: Int32) -> Bool {
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            // Held by another (EWOULDBLOCK), or a failure: either way, not taken.
            guard errno == EINTR else { return false }
        }
        return true
    }
}

extension Ledger {
    /// How this ledger's writer shares LMDB's write lock with writers in other processes:
    /// `ledger serve` announces its waits, `ledger import` yields to them (`WriteTurns`).
    public enum WriteTurnRole: UInt8, Sendable {
        /// Neither (the default): every CLI command, tests.
        case none
        /// Announces when its writer waits for the write lock, so that a yielding writer in
        /// another process lets it in before its own next transaction.
        case announces
        /// Lets an announced waiter in first, once per transaction.
        case yields
    }

    /// How often this ledger's writer let another process's announced writer go first, and how
    /// often such a writer did not take the lock within `WriteTurns.waiterBound`.
    public var writeTurnStatistics: (yields: Int, waitsRanOut: Int) { writeTurns.statistics }

    /// Whether this ledger's writer is waiting for LMDB's write lock right now (another process
    /// holds it, or is about to give it up): appends submitted meanwhile join the transaction
    /// that gets it (`AppendWriter.commit`).
    public var writerWaitsForLock: Bool { writeTurns.waitsForLock }

    /// Announces now that this ledger's writer waits for the write lock, until its next
    /// transaction has it: for tests of a writer that yields (`ledger-stress --announced-wait`).
    package func announceWriteWait() throws {
        try takeWriteTurns(as: .announces)
        writeTurns.announce()
    }

    /// Makes the writer take `role` from its next transaction on (`WriteTurns`).
    public func takeWriteTurns(as role: WriteTurnRole) throws {
        try writeTurns.take(role)
    }
}
