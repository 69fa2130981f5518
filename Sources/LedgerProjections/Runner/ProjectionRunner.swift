import LedgerDomain
import LedgerStore
import Logging

/// Keeps one projection up to date with the log: catch-up, then follow, and rebuild.
///
/// Each batch of events is applied in one projection-store transaction together with the
/// checkpoint, so a crash at any moment resumes at the first unapplied event.
public final class ProjectionRunner<Kind: Projection>: Sendable {
    /// The ledger the projection folds.
    public let ledger: Ledger
    /// The projection.
    public let projection: Kind
    /// Where its generations live.
    public let directory: ProjectionDirectory
    /// Events applied per transaction.
    public let batchSize: Int
    /// The data keys the runner has unwrapped, kept across catch-ups (a follower meets the
    /// same contacts again and again). A key destroyed meanwhile does no harm here: the
    /// erased contact's `contact.erased` event reaches the fold before any later event of its
    /// stream, and the fold ignores what follows it.
    let keys: KeyRing

    /// Prepares a runner; nothing is opened until a method needs it.
    public init(ledger: Ledger, projection: Kind, batchSize: Int = 10_000) {
        self.ledger = ledger
        self.projection = projection
        self.directory = ProjectionDirectory(ledgerDirectory: ledger.directory, name: Kind.name)
        self.batchSize = batchSize
        keys = ledger.keyRing(capacity: 1 << 18)
    }

    /// Opens the live generation's store, which follows the projection from one generation
    /// to the next (`ProjectionStore.init(following:tables:)`). The caller closes it.
    ///
    /// A generation that a bulk writer was filling without flushes when the machine went down
    /// (`ProjectionStore.deferringFlushes`) may be torn: it is not opened but rebuilt from the
    /// log first. Generations left behind by a process killed before it deleted them (they
    /// may hold values since erased) are deleted first.
    public func openStore() throws -> ProjectionStore {
        try directory.removeRetired()
        let folder = try directory.current()
        guard ProjectionStore.mayBeTorn(directory: folder) else {
            return try ProjectionStore(following: directory, tables: Kind.tables)
        }
        ledger.logger.warning("projection generation may be torn (left unflushed when the machine went down); rebuilding it from the log", metadata: ["projection": "\(Kind.name)"])
        try rebuild()
        return try ProjectionStore(following: directory, tables: Kind.tables)
    }

    /// Catches the live generation up with the log, then replaces it by a copy holding only
    /// its live pages and deletes the old one (`ProjectionDirectory.compact`); returns the
    /// checkpoint the copy holds. After it, no file of the projection holds a value the
    /// projection had replaced or removed by then, an erased contact's included.
    ///
    /// `store` is this process's store of the projection, if it has one open: LMDB must not
    /// have one environment open twice in a process (lmdb.h: "Do not have open an LMDB
    /// database twice in the same process at the same time"), so it is used instead of a
    /// second; it follows to the new generation by itself.
    @discardableResult
    public func compact(store: ProjectionStore? = nil, step: (ProjectionDirectory.CompactionStep) -> Void = { _ in }) throws -> UInt64 {
        if let store {
            return try directory.compact(store, tables: Kind.tables, prepare: { try catchUp(store: store) }, step: step)
        }
        let opened = try openStore()
        defer { opened.close() }
        return try directory.compact(opened, tables: Kind.tables, prepare: { try catchUp(store: opened) }, step: step)
    }

    /// Applies every event after the checkpoint, in batches; returns the new checkpoint.
    ///
    /// The next batch is read from the log and prepared (unsealed and decoded) on another
    /// thread meanwhile: from the start of this batch's transaction when the log is a full
    /// batch ahead (throughput), otherwise from its commit, which mostly waits for the disk
    /// (the read then takes in what was appended while this batch was applied).
    ///
    /// First the checkpoint and the head hash kept beside it are checked against the log
    /// (`Ledger.checkProjectionHead`): a projection ahead of the log, or folded from another
    /// log, is an error naming both, never a projection that waits for the log to catch up.
    ///
    /// With `last`, events after that position are left alone: a writer that records its own
    /// batch from what it folded (`ContactProjection.record`) first brings the projection up
    /// to the position before the batch, and no further.
    @discardableResult
    public func catchUp(store: ProjectionStore, through last: UInt64 = .max) throws -> UInt64 {
        let (start, headHash) = try store.read { (try $0.checkpoint(), try $0.headHash()) }
        try ledger.checkProjectionHead(checkpoint: start, headHash: headHash, folder: store.directory)
        var checkpoint = start
        var next = try prepareBatch(from: checkpoint + 1, through: last)
        while let batch = next {
            var following: Prefetch<Batch?>?
            let prefetch = { [self] in
                if following == nil { following = Prefetch { [self] in try prepareBatch(from: batch.last + 1, through: last) } }
            }
            if batch.events.count >= batchSize { prefetch() }
            do {
                try store.write { transaction in
                    // Another runner (another process) may have moved on meanwhile.
                    let current = try transaction.checkpoint()
                    if current < batch.first {
                        try projection.apply(batch.prepared, in: transaction, store: store)
                        try transaction.setCheckpoint(batch.last, headHash: batch.lastHash)
                    } else {
                        let fresh = batch.events.filter { $0.position > current }
                        guard let freshLast = fresh.last else { return }
                        try projection.apply(fresh, keys: keys, in: transaction, store: store)
                        try transaction.setCheckpoint(freshLast.position, headHash: Array(freshLast.chainHash))
                    }
                    prefetch()
                }
            } catch {
                // The prefetch reads the ledger: it must be over before the caller may close it.
                _ = try? following?.value()
                throw error
            }
            checkpoint = max(checkpoint, batch.last)
            if let following {
                next = try following.value()
            } else {
                // Nothing was fresh (another runner had applied the batch): nothing prefetched.
                next = try prepareBatch(from: batch.last + 1, through: last)
            }
        }
        return checkpoint
    }

    /// Up to `batchSize` events from `position` on and none past `last`, read and prepared;
    /// nil when there are none.
    private func prepareBatch(from position: UInt64, through last: UInt64) throws -> Batch? {
        guard position <= last else { return nil }
        let events = try ledger.read(from: position, limit: Int(min(UInt64(batchSize), last - position + 1)))
        guard let first = events.first, let last = events.last else { return nil }
        return Batch(events: events, prepared: try projection.prepare(events, keys: keys), first: first.position, last: last.position)
    }

    /// A batch read from the log and prepared for `apply`.
    private struct Batch: Sendable {
        let events: [RecordedEvent]
        let prepared: Kind.Prepared
        let first: UInt64
        let last: UInt64

        /// The chain hash of the last event, kept beside the checkpoint.
        var lastHash: [UInt8] { events.last.map { Array($0.chainHash) } ?? EventRecord.genesisHash }
    }

    /// Catches up, then applies new events as they are appended, until cancelled.
    ///
    /// Each wake-up (a commit of this process, or the poll for other processes) reads
    /// whatever is new from the log in batches, as `catchUp` does: nothing is handed over
    /// event by event.
    public func follow(store: ProjectionStore, pollInterval: Duration = .milliseconds(50)) async throws {
        let wakeups = ledger.appendWakeups(pollInterval: pollInterval)
        try catchUp(store: store)
        for await _ in wakeups {
            try Task.checkCancellation()
            try catchUp(store: store)
        }
    }

    /// Rebuilds the projection from position 0 into a fresh generation and swaps it in
    /// atomically; readers see the old generation until the swap, never half a rebuild.
    @discardableResult
    public func rebuild(initialMapSize: Int? = nil, progress: (UInt64) -> Void = { _ in }) throws -> UInt64 {
        // One builder of generations at a time (a compaction, another rebuild).
        try directory.withGenerationLock { try rebuildLocked(initialMapSize: initialMapSize, progress: progress) }
    }

    private func rebuildLocked(initialMapSize: Int?, progress: (UInt64) -> Void) throws -> UInt64 {
        let folder = try directory.newGeneration()
        // Start the map near the log's size: each time a rebuild outgrows it, LMDB aborts the
        // whole bulk write and it runs again.
        let mapSize = try initialMapSize ?? max(1 << 28, Int(ledger.stats().bytesOnDisk))
        // Unpublished: its commits do not flush; `sync()` below does, once, before the swap.
        let store = try ProjectionStore(directory: folder, tables: Kind.tables, initialMapSize: mapSize, unpublished: true)
        let last: UInt64
        do {
            last = try projection.rebuild(from: ledger, into: store, progress: progress)
            // Events appended during the rebuild are applied before the swap.
            try catchUp(store: store)
            // The generation's commits did not flush (see above): it must be on disk before
            // `current` names it.
            try store.sync()
        } catch {
            store.close()
            throw error
        }
        store.close()
        try directory.swap(to: folder)
        return last
    }
}
