import LedgerContacts
import LedgerDomain
import LedgerIdentity
import LedgerProjections
import LedgerStore

/// Upserts a bulk writer's batches two at a time: batch k+1 is planned while the ledger's
/// writer appends batch k, and batch k is projected while the writer appends k+1. Each batch
/// is still one transaction with its progress mark, committed in order, and decided exactly as
/// `ContactBook.upsert` decides it after the batches before it.
///
/// Batch k+1 is planned against the projection (which holds every batch before k) with batch
/// k's changes over it (`BatchPlan(continuing:aid:)` with an `ImportPlanAid` holding k as the
/// batch in flight); k's new contacts get their streams and versions once k's append returns
/// (`BatchPlan.settle`). Before k+1 goes to the writer the log must end exactly where k ended;
/// when it does not (another writer came between, or some of k's events were recorded
/// already), or k was refused, k+1 is decided again from the projection.
///
/// Made by `ContactBook.pipeline`. Lives on the import side (decision 0025): `ContactBook`'s own
/// upsert is the plain path, and this lays the import's aid over its plans. No lock is held:
/// another process's writes between two batches make the next one be decided again, and
/// conflicts are found in the write transaction (expected versions, identity claims).
public final class UpsertPipeline {
    private struct InFlight {
        let plan: BatchPlan
        let requests: [BatchPlan.Planned]
        let pending: PendingAppend
        let items: [UpsertItem]
        let progress: ProgressMark
    }

    private let book: ContactBook
    private let match: MatchRule
    private let options: UpsertOptions
    private let channel: EntryChannel
    private let actor: Actor
    private let filter: IdentifierFilter?
    private var inFlight: InFlight?
    /// The log's last position before the batch in flight.
    private var end: UInt64 = 0
    /// Batches planned against the batch before them and then decided again from the
    /// projection (another writer came between, or the batch before was refused).
    public private(set) var replanned = 0
    /// What the batches whose outcomes were returned recorded on each consent channel.
    public private(set) var consentRecorded = ConsentTally()

    init(book: ContactBook, match: MatchRule, options: UpsertOptions, channel: EntryChannel, actor: Actor, filter: IdentifierFilter?) {
        self.book = book
        self.filter = filter
        self.match = match
        self.options = options
        self.channel = channel
        self.actor = actor
    }

    /// Plans `items` and hands them to the writer with `progress`; returns the outcomes of the
    /// batch pushed before this one (nil for the first), in its items' order, once that batch
    /// is committed and projected.
    public func push(_ items: [UpsertItem], progress: ProgressMark) throws -> [Result<UpsertOutcome, ContactError>]? {
        guard let previous = inFlight else {
            try start(items, progress: progress)
            return nil
        }
        inFlight = nil
        // Planned while the writer appends `previous`, with its changes laid over the projection.
        let aid = ImportPlanAid(book: book, filter: filter, inFlight: InFlightBatch(previous.plan))
        var plan = BatchPlan(continuing: previous.plan, aid: aid)
        try plan.add(items, actor: actor)
        let results: [AppendResult]
        do {
            results = try previous.pending.wait()
        } catch let error as LedgerError where error.code == .wrongExpectedVersion {
            // Another writer changed a contact of `previous`: both batches are decided again.
            let outcomes = try redo(previous)
            replanned += 1
            book.logBulkReplan("import batch decided again after a version conflict", replanned: replanned, notice: true)
            try start(items, progress: progress)
            return outcomes
        }
        guard let end = BatchPlan.end(after: end, requests: previous.requests, results: results),
              try book.ledger.lastPosition() == end,
              plan.settle(after: previous.plan, requests: previous.requests, results: results)
        else {
            try previous.plan.project(previous.requests, results: results)
            replanned += 1
            book.logBulkReplan("import batch planned again: another writer appended between two batches", replanned: replanned, notice: false)
            try start(items, progress: progress)
            consentRecorded.add(previous.plan.consent)
            return previous.plan.outcomes(previous.requests, results: results)
        }
        self.end = end
        aid.batchInFlight = nil
        // The log holds nothing past the batch before but that batch, which this plan knows
        // (its overlay, settled): it was decided as of the log's end, and only what another
        // writer appends from here on can conflict with its claims.
        plan.decidedAt = end
        let (appends, requests) = plan.requests()
        let pending = try book.ledger.submit(try book.sealed(consume appends, keys: book.ledger.keyRing()), progress: progress)
        // Projected while the writer appends this batch.
        try previous.plan.project(previous.requests, results: results)
        try plan.loadCarriedBases(through: end)
        inFlight = InFlight(plan: plan, requests: requests, pending: pending, items: items, progress: progress)
        consentRecorded.add(previous.plan.consent)
        return previous.plan.outcomes(previous.requests, results: results)
    }

    /// Waits for the last batch pushed and projects it; returns its outcomes (nil when none
    /// is in flight).
    public func finish() throws -> [Result<UpsertOutcome, ContactError>]? {
        guard let previous = inFlight else { return nil }
        inFlight = nil
        let results: [AppendResult]
        do {
            results = try previous.pending.wait()
        } catch let error as LedgerError where error.code == .wrongExpectedVersion {
            replanned += 1
            return try redo(previous)
        }
        try previous.plan.project(previous.requests, results: results)
        consentRecorded.add(previous.plan.consent)
        return previous.plan.outcomes(previous.requests, results: results)
    }

    /// Plans a batch from the projection, caught up with the log, and submits it.
    private func start(_ items: [UpsertItem], progress: ProgressMark) throws {
        let aid = ImportPlanAid(book: book, filter: filter)
        var plan = try BatchPlan(book: book, match: match, options: options, channel: channel, aid: aid)
        try plan.add(items, actor: actor)
        let (appends, requests) = plan.requests()
        let pending = try book.ledger.submit(try book.sealed(consume appends, keys: book.ledger.keyRing()), progress: progress)
        end = plan.checkpoint
        inFlight = InFlight(plan: plan, requests: requests, pending: pending, items: items, progress: progress)
    }

    /// Decides a refused batch again, on its own, as `ContactBook.upsert` does (taking the
    /// creations prepared ahead, without the filter), splitting it when it is refused again
    /// (an import's batch need not be one transaction).
    private func redo(_ batch: InFlight) throws -> [Result<UpsertOutcome, ContactError>] {
        book.countDecidedAgain()
        return try book.upsertDeciding(
            batch.items, match: match, options: options, channel: channel, actor: actor, dryRun: false, progress: batch.progress, splitting: true,
            aid: ImportPlanAid(book: book, filter: nil), consent: &consentRecorded)
    }
}

extension ContactBook {
    /// Runs `body` with a pipeline that upserts batches two at a time (a bulk import). Push
    /// every batch, then call `finish`; a batch still in flight when `body` throws is
    /// committed or refused by the writer on its own, with its progress mark. `filter`, kept
    /// by the caller across its pipelines, spares look-ups of identifiers the projection
    /// certainly lacks.
    ///
    /// Part of the import side (LedgerImport, decision 0025), not of `ContactBook` itself.
    public func pipeline<Output: Sendable>(
        match: MatchRule,
        options: UpsertOptions = UpsertOptions(),
        channel: EntryChannel,
        actor: Actor,
        filter: IdentifierFilter? = nil,
        _ body: (UpsertPipeline) throws -> Output
    ) throws -> Output {
        try body(UpsertPipeline(book: self, match: match, options: options, channel: channel, actor: actor, filter: filter))
    }
}
