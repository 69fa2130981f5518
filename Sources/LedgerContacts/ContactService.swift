import Dispatch
import LedgerDomain
import LedgerIdentity
import LedgerProjections
import LedgerStore
import Logging
import Synchronization

/// The one write path for contacts, for every caller: the CLI, `ledger import`, the HTTP
/// server, form handlers and the token importer.
///
/// An async face on `ContactBook`. LMDB's work is blocking, so it runs on threads of the
/// service's own, never on the cooperative pool that serves requests; the one exception is a
/// point read of a projection that needs nothing folded first (`contact(named:)`), a few
/// microseconds of reading mapped pages, which costs less than the hop. Single upserts that
/// arrive while a commit is under way wait for the next one and share it: one durable
/// commit serves every request that queued behind the last (group commit), so N concurrent
/// API requests cost one `fsync`, not N. Each request still gets its own outcome, and a
/// refused request (a bad identifier, an identity conflict) does not affect the others.
///
/// Requests of one commit are decided in arrival order, a later one seeing what an earlier
/// one did: the same as running them one after the other.
///
/// Commits are pipelined: when the last commit handed to the ledger has not come back within
/// `pipelineAfter` and the ledger's writer is waiting for LMDB's write lock (held by an import
/// in another process), the requests queued since are decided and handed over as the next commit, which
/// shares that transaction once it has the lock (`AppendWriter`), so a request waits for one
/// append, not for the one under way and then its own. A commit is decided from the projection
/// without the commits still in flight, so one whose requests name an identifier or a contact
/// that a commit in flight names waits until those have landed and is decided after them
/// (`ContactBook.decideShared`). Commits are answered in the order they were decided.
///
/// Upserts are decided, and reads served, from the projection as it stands
/// (`ProjectionFreshness.present`): an import running in another process has a batch
/// appended and not yet projected most of the time, and folding that batch here, on the
/// writer's thread, cost a request hundreds of milliseconds and the import its own record
/// (decision 0020, addendum on writes beside an import). Each commit's events are recorded
/// in the projection before its requests are answered (`ContactBook.recordInOrder`), or, when
/// another writer's batch before them is not recorded yet, laid over it in the book's
/// overlay (`ContactOverlay`) that reads consult until the projection records them; so a
/// write answered is readable by the next request either way.
public final class ContactService: Sendable {
    /// The write side underneath.
    public let book: ContactBook
    let logger: Logger
    /// Where commits are decided and written: one at a time, so each sees the last.
    private let writer = DispatchQueue(label: "contactledger.contacts.writer")
    /// Where reads run, side by side.
    private let readers = DispatchQueue(label: "contactledger.contacts.readers", attributes: .concurrent)
    private let queue = Mutex(PendingUpserts())
    private let sharedCommitCounter = Atomic<Int>(0)
    /// Where the book's overlay is recorded (`recordOverlaySoon`): not on `writer`, whose
    /// commits would otherwise wait while a look waits for the projection's write lock, held
    /// by the import's record of its batch. `ContactProjection.record` checks the checkpoint
    /// in its write transaction, so a look and the writer's own record never both apply a batch.
    private let overlayRecorder = DispatchQueue(label: "contactledger.contacts.overlay")
    /// Whether a look at the book's overlay is scheduled (`recordOverlaySoon`).
    private let overlayLookScheduled = Atomic<Bool>(false)
    /// How often the writer looks whether the overlay's batches can be recorded.
    static let overlayLookInterval = DispatchTimeInterval.milliseconds(2)
    /// Most requests in one shared commit: a bound on a commit's size and its latency.
    public static let maximumSharedCommit = 1_000
    /// How long the last commit handed to the ledger may be out before the requests queued
    /// behind it are decided as a commit of their own, in flight beside it. On a store nobody
    /// else writes, a commit comes back within about a millisecond and the requests queued
    /// meanwhile share the next one, as before; during an import a commit waits tens of
    /// milliseconds for the write lock, and the requests behind it then join its transaction.
    static let pipelineAfter: UInt64 = 2_000_000
    /// Most commits in flight at once: a bound on what one stall of the write lock holds.
    static let maximumInFlight = 64
    /// Signalled when a commit in flight is done: what a drain with commits in flight waits on,
    /// for at most `pipelineAfter`.
    private let wake = DispatchSemaphore(value: 0)
    private let pipelinedCounter = Atomic<Int>(0)

    /// A service writing through `book`; its events and the projection's catch-up are logged
    /// to `logger` (no personal data).
    public init(book: ContactBook, logger: Logger? = nil) {
        self.book = book
        self.logger = logger ?? book.ledger.logger
    }

    /// Commits made for single upserts so far (one serves every request that queued for it).
    public var singleUpsertCommits: Int { sharedCommitCounter.load(ordering: .relaxed) }

    /// Single upserts queued for the next commit.
    var waitingUpserts: Int { queue.withLock { $0.waiting.count } }

    /// Commits of single upserts decided and handed to the ledger while an earlier one was
    /// still in flight (pipelined).
    public var pipelinedCommits: Int { pipelinedCounter.load(ordering: .relaxed) }

    // MARK: Writes

    /// Creates or updates the contact `item` is about (`ContactBook.upsert` says how), once
    /// committed: a return means the change is durable and readable.
    public func upsert(
        _ item: UpsertItem,
        match: MatchRule,
        options: UpsertOptions = UpsertOptions(),
        channel: EntryChannel,
        actor: Actor
    ) async throws -> UpsertOutcome {
        let terms = UpsertTerms(match: match, options: options, channel: channel, actor: actor)
        let result: Result<UpsertOutcome, any Error> = await withCheckedContinuation { continuation in
            let startsDrain = queue.withLock { pending in
                pending.waiting.append(PendingUpsert(item: item, terms: terms, continuation: continuation))
                guard !pending.draining else { return false }
                pending.draining = true
                return true
            }
            if startsDrain { writer.async { self.drain() } }
        }
        return try result.get()
    }

    /// Upserts `items` as one batch in one commit (`ContactBook.upsert`): all of it is
    /// recorded or none of it, and each slot says what its request did or why it was refused.
    public func upsert(
        _ items: [UpsertItem],
        match: MatchRule,
        options: UpsertOptions = UpsertOptions(),
        channel: EntryChannel,
        actor: Actor,
        dryRun: Bool = false
    ) async throws -> [Result<UpsertOutcome, ContactError>] {
        try await write {
            try $0.upsert(items, match: match, options: options, channel: channel, actor: actor, dryRun: dryRun, freshness: .present)
        }
    }

    /// Records a consent change (`ContactBook.setConsent`).
    public func setConsent(
        _ id: StreamID,
        scope: ConsentScope,
        change: ConsentChange,
        wordingVersion: String? = nil,
        evidence: ConsentEvidence = .none,
        actor: Actor,
        source: Source
    ) async throws {
        try await write {
            try $0.setConsent(id, scope: scope, change: change, wordingVersion: wordingVersion, evidence: evidence, actor: actor, source: source)
        }
    }

    /// Merges `absorbed` into `survivor` (`ContactBook.merge`).
    public func merge(survivor: StreamID, absorbed: StreamID, actor: Actor, source: Source) async throws {
        try await write { try $0.merge(survivor: survivor, absorbed: absorbed, actor: actor, source: source) }
    }

    /// Erases contact `id` (`ContactBook.erase`).
    public func erase(_ id: StreamID, reason: String, actor: Actor, source: Source) async throws -> Erasure {
        try await write { try $0.erase(id, reason: reason, actor: actor, source: source) }
    }

    /// Declares custom field `name` (`ContactBook.defineField`).
    public func defineField(_ name: String, type: FieldType, actor: Actor, source: Source) async throws {
        try await write { try $0.defineField(name, type: type, actor: actor, source: source) }
    }

    // MARK: Reads

    /// The contact `key` names, or nil.
    public func resolve(_ key: ContactKey) async throws -> StreamID? {
        try await read { try $0.contact(named: key, freshness: .present) { id, _ in id } }
    }

    /// The current state of contact `id`, or nil.
    public func contact(_ id: StreamID) async throws -> ContactState? {
        try await contact(named: .number(id))
    }

    /// The contact `key` names with its state, or nil, from one read snapshot
    /// (`ContactBook.contact(named:)`). When the projection may be read as it stands (the
    /// usual case) the snapshot is taken right here: a point read that neither folds nor
    /// waits costs less than the hop to a reader thread and back. Otherwise it hops, as every
    /// read that may fold the projection does.
    public func contact(named key: ContactKey) async throws -> ContactState? {
        if let served = try book.contactAsItStands(named: key, { _, state in state }) { return served }
        return try await read { try $0.contact(named: key, freshness: .present) }
    }

    /// Why the projection is behind the log after a committed write, or nil
    /// (`ContactBook.projectionBehind`).
    public var projectionBehind: String? { book.projectionBehind }

    // MARK: Running blocking work

    /// Runs `body` on the writer's thread, after every write queued before it.
    public func write<Value: Sendable>(_ body: @escaping @Sendable (ContactBook) throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            writer.async {
                continuation.resume(with: Result { try body(self.book) })
                self.recordOverlaySoon()
            }
        }
    }

    /// Runs `body` on the calling thread with the writer to itself: no queued write is decided
    /// or committed until it returns. For a bulk writer (`ledger import`) that writes batch by
    /// batch through the book's pipeline on its own thread, with no hop per batch. Hold it for
    /// a bounded span (the importer: 1.5 s of batches) and call it again for the next, so that
    /// writes queued meanwhile wait at most that long. Never call it from a `write` body: the
    /// writer would wait for itself.
    public func exclusively<Value>(_ body: (ContactBook) throws -> Value) rethrows -> Value {
        dispatchPrecondition(condition: .notOnQueue(writer))
        return try writer.sync { try body(book) }
    }

    /// Runs `body` on a reader thread.
    public func read<Value: Sendable>(_ body: @escaping @Sendable (ContactBook) throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            readers.async { continuation.resume(with: Result { try body(self.book) }) }
        }
    }

    /// Commits queued single upserts until none is left and none is in flight. Runs on
    /// `writer`; the first request to find no drain under way starts it.
    ///
    /// Each turn answers the commits the ledger is done with, oldest first; then, when no
    /// commit is in flight, decides what has queued and hands it over. With commits in flight,
    /// the requests queued are decided as the next commit only while the ledger's writer waits
    /// for LMDB's write lock (another process holds it) and the newest commit has been out
    /// `pipelineAfter`: that commit then joins the transaction that gets the lock. A commit that
    /// is merely being written (its fsync) is waited for, as before pipelining: a commit decided
    /// beside it would be a transaction of its own, splitting the requests that would share the
    /// next one over two. Meanwhile the drain looks every `pipelineAfter` and when a commit comes
    /// back; a request that queues does not wake it (the look finds it), which spares a wake-up
    /// per commit.
    private func drain() {
        var flights = [Flight]()
        while true {
            while let oldest = flights.first, oldest.commit.pending.isDone {
                flights.removeFirst()
                land(oldest)
            }
            if let newest = flights.last?.submitted {
                let out = DispatchTime.now().uptimeNanoseconds &- newest
                let joins = out >= Self.pipelineAfter && flights.count < Self.maximumInFlight && book.ledger.writerWaitsForLock
                if !joins || queueIsEmpty() {
                    // Back at the latest when a commit in flight is done.
                    let look = out < Self.pipelineAfter ? newest + Self.pipelineAfter : DispatchTime.now().uptimeNanoseconds + Self.pipelineAfter
                    _ = wake.wait(timeout: DispatchTime(uptimeNanoseconds: look))
                    continue
                }
                pipelinedCounter.add(1, ordering: .relaxed)
            }
            let batch = take()
            if !batch.isEmpty {
                decide(batch, flights: &flights)
            } else if flights.isEmpty {
                return
            }
        }
    }

    /// Takes up to `maximumSharedCommit` queued requests; when none is queued, the drain ends
    /// (the next request starts another).
    private func take() -> [PendingUpsert] {
        queue.withLock { pending in
            let taken = Array(pending.waiting.prefix(Self.maximumSharedCommit))
            pending.waiting.removeFirst(taken.count)
            if taken.isEmpty { pending.draining = false }
            return taken
        }
    }

    /// Whether no request is queued.
    private func queueIsEmpty() -> Bool {
        queue.withLock { $0.waiting.isEmpty }
    }

    /// While the book's overlay holds batches (committed and answered before the projection
    /// could record them), looks every `overlayLookInterval`, on `overlayRecorder`, whether
    /// their turn has come (`ContactBook.recordOverlay`).
    private func recordOverlaySoon() {
        guard !book.overlay.isEmpty, !overlayLookScheduled.exchange(true, ordering: .acquiringAndReleasing) else { return }
        overlayRecorder.asyncAfter(deadline: .now() + Self.overlayLookInterval) {
            self.overlayLookScheduled.store(false, ordering: .releasing)
            self.book.projectCommitted { try self.book.recordOverlay() }
            self.recordOverlaySoon()
        }
    }

    /// Decides one commit per run of requests with the same terms, in arrival order, and hands
    /// each to the ledger; a run that overlaps a commit in flight is decided once every commit
    /// in flight has landed.
    private func decide(_ batch: [PendingUpsert], flights: inout [Flight]) {
        var start = batch.startIndex
        while start < batch.endIndex {
            let terms = batch[start].terms
            let end = batch[start...].firstIndex { $0.terms != terms } ?? batch.endIndex
            let run = Array(batch[start..<end])
            sharedCommitCounter.add(1, ordering: .relaxed)
            let whenDone: @Sendable () -> Void = { [wake] in wake.signal() }
            do {
                var decision = try book.decideShared(run.map(\.item), terms: terms, inFlight: flights.map(\.commit.footprint), whenDone: whenDone)
                if case .touchesInFlight = decision {
                    while !flights.isEmpty { land(flights.removeFirst()) }
                    decision = try book.decideShared(run.map(\.item), terms: terms, inFlight: [], whenDone: whenDone)
                }
                switch decision {
                case .answered(let results):
                    answer(run, results)
                    recordOverlaySoon()
                case .submitted(let commit):
                    flights.append(Flight(commit: commit, run: run, submitted: DispatchTime.now().uptimeNanoseconds))
                case .touchesInFlight:
                    throw ContactError(.invalidRequest, "a commit with nothing in flight was held back")
                }
            } catch {
                for request in run { request.continuation.resume(returning: .failure(error)) }
            }
            start = end
        }
    }

    /// Answers a commit the ledger is done with (waiting for it if it is not), once recorded.
    private func land(_ flight: Flight) {
        do {
            answer(flight.run, try book.landShared(flight.commit))
        } catch {
            for request in flight.run { request.continuation.resume(returning: .failure(error)) }
        }
        // Its batch may have gone to the overlay.
        recordOverlaySoon()
    }

    private func answer(_ run: [PendingUpsert], _ results: [Result<UpsertOutcome, ContactError>]) {
        for (request, result) in zip(run, results) {
            request.continuation.resume(returning: result.mapError { $0 })
        }
        if run.count > 1 { logger.trace("shared commit", metadata: ["requests": "\(run.count)"]) }
    }
}

/// A commit of single upserts in flight: its requests, and when it was handed to the ledger.
private struct Flight {
    let commit: SharedCommit
    let run: [PendingUpsert]
    /// `DispatchTime` uptime nanoseconds.
    let submitted: UInt64
}

/// What a batch of upserts shares: requests with the same terms can share a commit.
struct UpsertTerms: Equatable, Sendable {
    var match: MatchRule
    var options: UpsertOptions
    var channel: EntryChannel
    var actor: Actor
}

/// A single upsert waiting for a commit.
struct PendingUpsert: Sendable {
    var item: UpsertItem
    var terms: UpsertTerms
    var continuation: CheckedContinuation<Result<UpsertOutcome, any Error>, Never>
}

/// The single upserts waiting, and whether a drain is under way to commit them.
struct PendingUpserts {
    var waiting: [PendingUpsert] = []
    var draining = false
}
