import Foundation
import LedgerDomain
import LedgerProjections
import LedgerStore
import Logging
import Synchronization

/// How current the contact projection must be before a decision or a read uses it.
public enum ProjectionFreshness: Sendable {
    /// Every event appended so far folded in first (`ContactBook.directory()`): the CLI's
    /// commands and the import.
    case caughtUp
    /// The projection as it stands when another writer has appended a batch and not projected
    /// it yet (an import in another process, which projects it itself a moment later); a gap
    /// of at most `ContactBook.foldableGap` events, or one that has stood still for
    /// `ContactBook.stalledAfter`, is folded in first. The API's decisions and reads (decision
    /// 0020, addendum on writes beside an import).
    ///
    /// Safe for decisions: a stale decision is refused at commit (expected versions, identity
    /// claims, decision 0015) and decided again, caught up. Reads see every write that was
    /// acknowledged, since each writer projects its own events before it acknowledges them.
    case present
}

extension ContactBook {
    /// Events the projection may lag behind the log for a `.present` decision or read to fold
    /// them in itself: a few commits of single requests or other categories' events cost
    /// little; an import's batch is left to the import. Counted in events, so it must stay well
    /// under the events of the smallest import batch: a new contact is one event (decision
    /// 0026), and an import beside a server commits `ImportOptions.besideServerBatchSize`
    /// rows (500) a transaction. At 1,000, such batches were folded in by the server's
    /// requests too, and the import's and the server's records of the same events took turns
    /// (`api.upsert.during-import` p99 0.2–0.9 s, docs/benchmarks.md, session 14).
    public static let foldableGap: UInt64 = 200
    /// How long the projection may stand still behind the log before a `.present` read folds
    /// the gap in anyway: whatever appended it died, or does not project contacts.
    public static let stalledAfter: Duration = .seconds(1)
    /// How long a writer whose batch the projection cannot record yet (another writer's events
    /// come before it, not projected) waits for that writer to project them
    /// (`recordInOrder`), before folding them in from the log itself.
    public static let projectionWait: Duration = .milliseconds(100)

    /// Batches this book recorded in the projection after waiting for another writer to
    /// project the events before them (`recordInOrder`).
    public var recordedAfterWaiting: Int { waitedCounter.load(ordering: .relaxed) }

    /// Batches whose wait for another writer ran out, so that this book folded that writer's
    /// events in from the log before recording its own.
    public var waitsRanOut: Int { waitRanOutCounter.load(ordering: .relaxed) }

    /// The projection, as current as `freshness` asks.
    public func directory(_ freshness: ProjectionFreshness) throws -> ContactDirectory {
        guard freshness == .present, headChecked.load(ordering: .relaxed) else { return try directory() }
        let checkpoint = try store.read { try $0.checkpoint() }
        return try mayServe(checkpoint) ? ContactDirectory(store: store) : directory()
    }

    /// Runs `body` with one read snapshot of the projection as current as `freshness` asks.
    /// For `.present` the snapshot's own checkpoint is compared with the log's end, so that a
    /// read of a projection that is up to date costs one snapshot and one look at the log's
    /// last position, not a catch-up's transactions.
    public func read<Result>(_ freshness: ProjectionFreshness, _ body: (ContactDirectory.Snapshot) throws -> Result) throws -> Result {
        if freshness == .present, case .answer(let answer) = try readAsItStands(body) { return answer }
        return try directory().read(body)
    }

    /// Runs `body` with one read snapshot of the projection when a `.present` read may use it
    /// as it stands (`mayServe`); `.stale` when it must be caught up first. Nothing here folds,
    /// writes or waits: a point read this way takes microseconds, less than a hop to a thread
    /// that may block, so the service runs it on the caller's own (`ContactService.contact`).
    func readAsItStands<Result>(_ body: (ContactDirectory.Snapshot) throws -> Result) throws -> Served<Result> {
        guard headChecked.load(ordering: .relaxed) else { return .stale }
        return try ContactDirectory(store: store).read { snapshot in
            guard try mayServe(snapshot.checkpoint()) else { return .stale }
            return .answer(try body(snapshot))
        }
    }

    /// What a `.present` snapshot gave: the answer, or nothing because it had to be caught up.
    enum Served<Answer> {
        case answer(Answer)
        case stale
    }

    /// Whether a `.present` decision or read may use the projection at `checkpoint` as it is:
    /// it is at the log's end, or behind it by more than `foldableGap` events that some writer
    /// is still projecting (the checkpoint moved within `stalledAfter`).
    private func mayServe(_ checkpoint: UInt64) throws -> Bool {
        let last = try ledger.lastPosition()
        if last == checkpoint { return true }
        // Behind by this process's own batches only, which the overlay answers for (reads)
        // and the commit checks (decisions): nothing to fold.
        if !overlay.isEmpty, overlay.holdsEverything(after: checkpoint, through: last) { return true }
        // Behind by a little (folded in at once), or ahead of the log (the catch-up's head
        // check says what is wrong).
        guard last > checkpoint, last - checkpoint > Self.foldableGap else { return false }
        return !stalled(at: checkpoint)
    }

    /// Whether the projection has stood at `checkpoint`, behind the log, for `stalledAfter`
    /// or longer, as far as this process has watched it.
    private func stalled(at checkpoint: UInt64) -> Bool {
        let now = ContinuousClock.now
        return standing.withLock { standing in
            guard let seen = standing, seen.checkpoint == checkpoint else {
                standing = (checkpoint, now)
                return false
            }
            return now - seen.since >= Self.stalledAfter
        }
    }

    /// Records a batch this writer has just appended at `positions`, as it folded it
    /// (`ContactProjection.record`), once the projection holds every event before it: at once
    /// when it does; after folding in the events before it from the log when they are at most
    /// `foldableGap`; when there are more (another writer's batch, appended before this one
    /// and not projected yet: that writer projects it from memory, and folding it here would
    /// cost this writer the whole batch and that writer its own record), after waiting up to
    /// `projectionWait` for the checkpoint to reach the batch, then folding in what is left.
    ///
    /// Returns true when the batch is recorded, or the projection already holds it (another
    /// process caught up over it); false when the caller must catch the projection up from the
    /// log instead (the projection holds part of the batch, or a downstream projector is awake).
    ///
    /// With `deferring` (the service's batches, answered once this returns), a batch that
    /// cannot be recorded at once goes to the overlay instead (`ContactOverlay`), which reads
    /// consult and `recordOverlay` records, off the request's path, once its turn comes: the
    /// request neither waits for another writer nor folds anything in.
    func recordInOrder(_ contacts: [FoldedContact], definitions: [(FieldDefined, StreamID)], positions: ClosedRange<UInt64>, headHash: [UInt8], deferring: Bool = false) throws -> Bool {
        let before = positions.lowerBound - 1
        let deadline = ContinuousClock.now + projectionWaitLimit.withLock { $0 }
        var refused = false
        var waited = false
        while true {
            let checkpoint = try store.read { try $0.checkpoint() }
            if checkpoint >= positions.upperBound { return true }
            if checkpoint == before {
                // Refused with the checkpoint still right before the batch: not a race with
                // another writer but a downstream projector to feed from the log.
                if refused { return false }
                if try ContactProjection.record(contacts, definitions: definitions, positions: positions, headHash: headHash, in: store) {
                    if waited { waitedCounter.add(1, ordering: .relaxed) }
                    return true
                }
                refused = true
                continue
            }
            guard checkpoint < before else { return false }
            let gap = before - checkpoint
            if deferring {
                overlay.add(ContactOverlay.Batch(contacts: contacts, definitions: definitions, positions: positions, headHash: headHash, since: .now))
                deferredCounter.add(1, ordering: .relaxed)
                return true
            }
            if gap <= Self.foldableGap || ContinuousClock.now >= deadline {
                if gap > Self.foldableGap {
                    waitRanOutCounter.add(1, ordering: .relaxed)
                    ledger.logger.notice("the projection stayed behind the log's end past the wait; folding the gap in", metadata: ["events": "\(gap)"])
                }
                waited = false
                try runner.catchUp(store: store, through: before)
                continue
            }
            waited = true
            usleep(500)
        }
    }

    /// Batches of this process waiting in the overlay for the projection to reach them.
    public var overlaidBatches: Int { overlay.count }

    /// Batches that went to the overlay instead of waiting for another writer's record
    /// (`recordInOrder` with `deferring`).
    public var deferredBatches: Int { deferredCounter.load(ordering: .relaxed) }

    /// Records the overlay's batches whose turn has come, in log order: each from what its
    /// writer folded once the projection stands right before it, after folding in from the log
    /// a gap of at most `foldableGap` events before it, or a larger one that has not moved for
    /// `stalledAfter` (its writer died, or does not project contacts). Returns when the first
    /// batch left still waits for another writer, or none is left. Batches that a catch-up
    /// folded from the log meanwhile are simply dropped.
    func recordOverlay() throws {
        while let batch = overlay.first {
            let checkpoint = try store.read { try $0.checkpoint() }
            overlay.drop(through: checkpoint)
            if checkpoint >= batch.positions.upperBound { continue }
            let before = batch.positions.lowerBound - 1
            if checkpoint == before {
                if try ContactProjection.record(batch.contacts, definitions: batch.definitions, positions: batch.positions, headHash: batch.headHash, in: store) {
                    overlay.drop(through: batch.positions.upperBound)
                    continue
                }
                // Refused: another writer moved the checkpoint (seen on the next turn), or a
                // downstream projector is awake and is fed from the log.
                guard try store.read({ try $0.checkpoint() }) == before else { continue }
                try runner.catchUp(store: store, through: batch.positions.upperBound)
            } else if checkpoint > before {
                // Part of the batch, which no catch-up leaves: let the runner see to it.
                try runner.catchUp(store: store, through: batch.positions.upperBound)
            } else {
                let gap = before - checkpoint
                if gap > Self.foldableGap {
                    guard ContinuousClock.now - batch.since >= overlayPatience.withLock({ $0 }) else { return }
                    waitRanOutCounter.add(1, ordering: .relaxed)
                    ledger.logger.notice("the projection stayed behind the log before the service's own batch; folding the gap in", metadata: ["events": "\(gap)"])
                }
                try runner.catchUp(store: store, through: before)
            }
            // A catch-up that moved nothing (the log lacks what it should hold) must not spin.
            guard try store.read({ try $0.checkpoint() }) != checkpoint else {
                throw LedgerError(.storage, "the contact projection did not move past position \(checkpoint) toward the service's batch at \(batch.positions.lowerBound)")
            }
        }
    }
}
