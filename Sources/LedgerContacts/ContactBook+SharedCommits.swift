import LedgerDomain
import LedgerProjections
import LedgerStore
import Logging
import Synchronization

/// What a commit of single upserts reads or writes that a commit decided after it must not:
/// the identifiers its requests name and the contacts they resolved to (changed or not), and
/// whether it declares custom fields. Two commits whose footprints do not overlap decide the
/// same whichever the projection holds of the other.
struct SharedFootprint {
    var identifiers: Set<String> = []
    var contacts: Set<StreamID> = []
    var declaresFields = false

    /// Whether a commit with this footprint could be decided differently once `other` is in.
    func overlaps(_ other: SharedFootprint) -> Bool {
        (declaresFields && other.declaresFields)
            || !identifiers.isDisjoint(with: other.identifiers)
            || !contacts.isDisjoint(with: other.contacts)
    }
}

/// A commit of the service's single upserts handed to the ledger's writer and not yet answered
/// (`ContactService`'s pipelined commits): the plan its outcomes and projection come from.
struct SharedCommit {
    let items: [UpsertItem]
    let terms: UpsertTerms
    let plan: BatchPlan
    let planned: [BatchPlan.Planned]
    let pending: PendingAppend
    let footprint: SharedFootprint
}

/// What `ContactBook.decideShared` did with a run of requests.
enum SharedDecision {
    /// Nothing to append (every request unchanged or refused): the outcomes stand.
    case answered([Result<UpsertOutcome, ContactError>])
    /// Handed to the ledger's writer: answered once it lands (`landShared`).
    case submitted(SharedCommit)
    /// The run reads or changes what a commit in flight changes: nothing was submitted, and it
    /// must be decided again once those commits have landed.
    case touchesInFlight
}

extension ContactBook {
    /// Decides a run of single upserts against the projection as it stands (`.present`) and
    /// hands it to the ledger's writer without waiting for the commit, so that the service can
    /// decide the next run while this one waits for LMDB's write lock (decision 0020, addendum
    /// on pipelined commits). `inFlight` are the footprints of the commits handed over and not
    /// landed yet: the projection holds none of them, so a run that overlaps one is not
    /// submitted (`touchesInFlight`) and the caller decides it again after they land: the same
    /// as deciding one after the other. `whenDone` is called once the ledger's writer is done
    /// with the commit (`Ledger.submit(_:whenDone:)`).
    func decideShared(_ items: [UpsertItem], terms: UpsertTerms, inFlight: [SharedFootprint], whenDone: @escaping @Sendable () -> Void) throws -> SharedDecision {
        var items = items
        var footprint = SharedFootprint()
        for index in items.indices {
            // Normalised once, here: the plan takes them as they are.
            let identifiers = items[index].identifiers ?? normalize(items[index].input)
            items[index].identifiers = identifiers
            guard case .success(let held) = identifiers else { continue }
            for kind in IdentifierKind.allCases {
                if let value = held[kind] { footprint.identifiers.insert(value) }
            }
        }
        if inFlight.contains(where: footprint.overlaps) { return .touchesInFlight }
        var plan = try BatchPlan(book: self, match: terms.match, options: terms.options, channel: terms.channel, freshness: .present)
        plan.deferringRecord = true
        try plan.add(items, actor: terms.actor)
        for result in plan.results {
            if case .success(let (key, _, _)) = result, case .existing(let id) = key { footprint.contacts.insert(id) }
        }
        footprint.declaresFields = !plan.schemaEvents.isEmpty
        if inFlight.contains(where: footprint.overlaps) { return .touchesInFlight }
        if !overlay.isEmpty, overlay.touches(contacts: footprint.contacts, identifiers: footprint.identifiers, after: plan.decidedAt) {
            // A commit of this process that the projection does not hold yet (it waits behind
            // another writer's batch) changed one of these contacts or identifiers: the run is
            // decided on the projection caught up, as after a conflict. Deciding it as it
            // stands could answer "unchanged" for a value that commit has since changed.
            return .answered(try decideAgain(items, terms: terms))
        }
        let (requests, planned) = plan.requests()
        guard !requests.isEmpty else { return .answered(plan.outcomes(streams: [:])) }
        try beforeAppend.withLock { $0 }?(1, items.count)
        let pending = try ledger.submit(try sealed(requests, keys: ledger.keyRing()), whenDone: whenDone)
        return .submitted(SharedCommit(items: items, terms: terms, plan: plan, planned: planned, pending: pending, footprint: footprint))
    }

    /// Waits for `commit` (returning at once when its append is done), records it in the
    /// projection, or in the overlay while another writer's batch before it is not recorded,
    /// and returns its outcomes. A commit refused for a conflict (another writer changed one of
    /// its contacts, or took one of its new identifiers, after the projection it was decided
    /// from) is decided again on the projection caught up, as `upsert` does.
    func landShared(_ commit: SharedCommit) throws -> [Result<UpsertOutcome, ContactError>] {
        let results: [AppendResult]
        do {
            results = try commit.pending.wait()
        } catch let error as LedgerError where error.code == .wrongExpectedVersion {
            decidedAgainCounter.add(1, ordering: .relaxed)
            ledger.logger.notice("contact batch decided again after a conflict", metadata: ["attempt": "1", "contacts": "\(commit.items.count)"])
            return try decideAgain(commit.items, terms: commit.terms)
        }
        projectCommitted { try commit.plan.project(commit.planned, results: results) }
        return commit.plan.outcomes(commit.planned, results: results)
    }

    /// Decides a run again as `upsert` does after a refusal, on the projection caught up (one
    /// decision counted already).
    private func decideAgain(_ items: [UpsertItem], terms: UpsertTerms) throws -> [Result<UpsertOutcome, ContactError>] {
        var consent = ConsentTally()
        return try upsertDeciding(
            items, match: terms.match, options: terms.options, channel: terms.channel, actor: terms.actor,
            dryRun: false, progress: nil, freshness: .present, decidedBefore: 1, consent: &consent)
    }
}
