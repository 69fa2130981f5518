import LedgerDomain
import LedgerIdentity
import LedgerProjections
import LedgerStore
import Logging
import Synchronization

/// One contact request of a batch: the input, where it came from, and its event ids.
public struct UpsertItem: Sendable {
    /// What the request says about the contact.
    public var input: ContactInput
    /// Where it came from (a file row, an API request).
    public var source: Source
    /// The id of the request's n-th event.
    public var ids: @Sendable (Int) -> EventID
    /// The input's identifiers as `ContactBook.normalize` gave them, when the caller normalised
    /// them ahead (a bulk import does, on another core); nil: `upsert` normalises them.
    public var identifiers: Result<ContactIdentifiers, ContactError>?
    /// The request's events as a new contact, decided and sealed ahead by a bulk writer
    /// (LedgerImport's `PreparedCreation`). Only a `BatchAid` reads it: the plain path
    /// (`ContactBook.upsert`, `ContactService`) decides every request itself.
    package var prepared: (any PreparedContact)?

    /// Describes one request.
    public init(
        input: ContactInput,
        source: Source,
        identifiers: Result<ContactIdentifiers, ContactError>? = nil,
        ids: @escaping @Sendable (Int) -> EventID = { _ in .timeOrdered() }
    ) {
        self.input = input
        self.source = source
        self.identifiers = identifiers
        self.ids = ids
    }

    /// Describes one request with its events prepared ahead (a bulk import's preparer).
    package init(
        input: ContactInput,
        source: Source,
        identifiers: Result<ContactIdentifiers, ContactError>?,
        prepared: (any PreparedContact)?,
        ids: @escaping @Sendable (Int) -> EventID
    ) {
        self.input = input
        self.source = source
        self.identifiers = identifiers
        self.prepared = prepared
        self.ids = ids
    }
}

extension ContactBook {
    /// Counts a batch a bulk writer decided again (LedgerImport's `UpsertPipeline`) in
    /// `decidedAgain`.
    package func countDecidedAgain() {
        decidedAgainCounter.add(1, ordering: .relaxed)
    }

    /// Logs to the store's logger that a bulk writer's batch was planned or decided again
    /// (`notice`: after a conflict; else at debug level). No personal data: a count only.
    /// LedgerImport does not import swift-log, whose Dispatch headers would change where its
    /// C `stat` members are looked up (`FileStatus`).
    package func logBulkReplan(_ message: String, replanned: Int, notice: Bool) {
        if notice {
            ledger.logger.notice("\(message)", metadata: ["replanned": "\(replanned)"])
        } else {
            ledger.logger.debug("\(message)", metadata: ["replanned": "\(replanned)"])
        }
    }

    /// Upserts a batch of contact requests in one durable transaction, in order: a later
    /// request sees what an earlier one did (the same contact twice in a file: the later row
    /// wins). A request that is refused (bad identifier, identity conflict, bad field) is
    /// reported in its slot and does not stop the others.
    ///
    /// With `dryRun`, everything is decided and checked but nothing is written; new contacts
    /// are then reported with stream 0. A `progress` mark is recorded in the same transaction
    /// (a bulk import's batch number), even when no request changed anything. `freshness`
    /// says which projection the first decision reads; a decision again after a conflict
    /// always reads it caught up.
    public func upsert(
        _ items: [UpsertItem],
        match: MatchRule,
        options: UpsertOptions = UpsertOptions(),
        channel: EntryChannel,
        actor: Actor,
        dryRun: Bool = false,
        progress: ProgressMark? = nil,
        freshness: ProjectionFreshness = .caughtUp
    ) throws -> [Result<UpsertOutcome, ContactError>] {
        var consent = ConsentTally()
        return try upsert(items, match: match, options: options, channel: channel, actor: actor, dryRun: dryRun, progress: progress, freshness: freshness, consent: &consent)
    }

    /// `upsert`, adding to `consent` what the requests recorded (or, with `dryRun`, would
    /// record) on each consent channel.
    public func upsert(
        _ items: [UpsertItem],
        match: MatchRule,
        options: UpsertOptions = UpsertOptions(),
        channel: EntryChannel,
        actor: Actor,
        dryRun: Bool = false,
        progress: ProgressMark? = nil,
        freshness: ProjectionFreshness = .caughtUp,
        consent: inout ConsentTally
    ) throws -> [Result<UpsertOutcome, ContactError>] {
        try upsertDeciding(items, match: match, options: options, channel: channel, actor: actor, dryRun: dryRun, progress: progress, freshness: freshness, consent: &consent)
    }

    /// `upsert`: decides the batch against the projection and appends it, deciding again when
    /// another writer got in between. No lock is held: conflicts are found where the write
    /// happens (expected stream versions, and identity claims for new identifiers).
    ///
    /// With `splitting` (a bulk import's batch, which need not be one transaction), a batch
    /// refused twice is split in halves, each decided and appended on its own, the first
    /// without `progress` and the second with it. A writer that keeps changing some of the
    /// batch's contacts (the API beside an import) then costs smaller and smaller batches,
    /// whose decisions take less time than that writer takes to get in between, instead of
    /// failing the import. A crash between the halves leaves the mark before the batch: the
    /// rerun redoes it, and the first half's events, already recorded under the same ids, are
    /// found and not written twice.
    ///
    /// `aid` (a bulk writer's, LedgerImport) is laid over every plan; without one (every
    /// caller in this module) each request is decided plainly. `decidedBefore` counts the
    /// decisions already refused at commit (the service's pipelined commit, `landShared`): the
    /// next reads the projection caught up.
    package func upsertDeciding(
        _ items: [UpsertItem],
        match: MatchRule,
        options: UpsertOptions,
        channel: EntryChannel,
        actor: Actor,
        dryRun: Bool,
        progress: ProgressMark?,
        splitting: Bool = false,
        freshness: ProjectionFreshness = .caughtUp,
        aid: (any BatchAid)? = nil,
        decidedBefore: Int = 0,
        consent: inout ConsentTally
    ) throws -> [Result<UpsertOutcome, ContactError>] {
        var attempt = decidedBefore
        while true {
            attempt += 1
            if splitting, attempt > Self.decisionsBeforeSplitting, items.count > 1 {
                splitCounter.add(1, ordering: .relaxed)
                let half = items.count / 2
                var outcomes = try upsertDeciding(
                    Array(items[..<half]), match: match, options: options, channel: channel, actor: actor,
                    dryRun: false, progress: nil, splitting: true, aid: aid, consent: &consent)
                outcomes += try upsertDeciding(
                    Array(items[half...]), match: match, options: options, channel: channel, actor: actor,
                    dryRun: false, progress: progress, splitting: true, aid: aid, consent: &consent)
                return outcomes
            }
            var plan = try BatchPlan(book: self, match: match, options: options, channel: channel, aid: aid, freshness: attempt == 1 ? freshness : .caughtUp)
            // The service's batches (`.present`) are answered without waiting for another
            // writer to record the batch before them: they go to the overlay meanwhile.
            plan.deferringRecord = freshness == .present
            try plan.add(items, actor: actor)
            if dryRun {
                consent.add(plan.consent)
                return plan.outcomes(streams: [:])
            }
            let (requests, planned) = plan.requests()
            guard !requests.isEmpty || progress != nil else { return plan.outcomes(streams: [:]) }
            do {
                try beforeAppend.withLock { $0 }?(attempt, items.count)
                let results = try ledger.append(try sealed(requests, keys: ledger.keyRing()), progress: progress)
                projectCommitted { try plan.project(planned, results: results) }
                consent.add(plan.consent)
                return plan.outcomes(planned, results: results)
            } catch let error as LedgerError where error.code == .wrongExpectedVersion && attempt < Self.maximumDecisions {
                // Another writer changed one of these contacts, or took one of the identifiers
                // claimed, since the projection's snapshot: decide again on fresh state.
                decidedAgainCounter.add(1, ordering: .relaxed)
                ledger.logger.notice("contact batch decided again after a conflict", metadata: ["attempt": "\(attempt)", "contacts": "\(items.count)"])
                continue
            }
        }
    }
}
