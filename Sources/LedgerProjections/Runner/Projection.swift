import LedgerDomain
import LedgerStore

/// A projection: the tables it keeps and how a batch of events changes them.
///
/// `prepare` does the work on a batch that needs no projection state (unsealing, decoding), so
/// the runner can do it for the next batch while the current one is applied and committed.
/// `apply` runs inside the projection store's write transaction, which also records the
/// checkpoint; it must change nothing outside that transaction.
public protocol Projection: Sendable {
    /// A batch of events made ready for `apply`.
    associatedtype Prepared: Sendable

    /// The projection's name, as `ledger rebuild --projection NAME` spells it.
    static var name: String { get }
    /// The tables of its store.
    static var tables: [String] { get }

    /// Makes `events` (consecutive, in log order) ready to apply, unsealing personal data
    /// with `keys`; reads nothing of the projection.
    func prepare(_ events: [RecordedEvent], keys: KeyRing) throws -> Prepared

    /// Folds a prepared batch into the tables.
    func apply(_ batch: Prepared, in transaction: ProjectionTransaction, store: ProjectionStore) throws

    /// Builds the tables from scratch from every event in `ledger` into the empty `store`,
    /// reporting progress as positions; returns the last position applied.
    func rebuild(from ledger: Ledger, into store: ProjectionStore, progress: (UInt64) -> Void) throws -> UInt64

    /// Events per transaction of the plain rebuild (10,000 unless a projection says otherwise).
    var rebuildBatchSize: Int { get }
}

extension Projection {
    /// The plain rebuild, for a projection that needs no parallel one: every event applied in
    /// order, in batches of `rebuildBatchSize`, each batch with its checkpoint in one
    /// transaction of the (unpublished) new generation. Correct by construction: it is the
    /// incremental path run from position 1.
    public func rebuild(from ledger: Ledger, into store: ProjectionStore, progress: (UInt64) -> Void) throws -> UInt64 {
        try rebuild(from: ledger, through: .max, into: store, progress: progress)
    }

    /// The plain rebuild through position `last` only (events after it are left out, for
    /// comparisons at a checkpoint), of a store that holds the fold through `after` (an
    /// empty one when 0); returns the last position applied.
    func rebuild(from ledger: Ledger, after start: UInt64 = 0, through last: UInt64, into store: ProjectionStore, progress: (UInt64) -> Void = { _ in }) throws -> UInt64 {
        let keys = ledger.keyRing()
        var done = start
        while done < last {
            let events = try ledger.read(from: done + 1, limit: rebuildBatchSize).filter { $0.position <= last }
            guard let lastEvent = events.last else { break }
            try store.write { transaction in
                try apply(events, keys: keys, in: transaction, store: store)
                try transaction.setCheckpoint(lastEvent.position, headHash: Array(lastEvent.chainHash))
            }
            done = lastEvent.position
            progress(done)
        }
        return done
    }

    /// Events per transaction of the plain rebuild.
    public var rebuildBatchSize: Int { 10_000 }

    /// Folds `events` (consecutive, in log order) into the tables, unsealing personal data
    /// with `keys`.
    public func apply(_ events: [RecordedEvent], keys: KeyRing, in transaction: ProjectionTransaction, store: ProjectionStore) throws {
        try apply(try prepare(events, keys: keys), in: transaction, store: store)
    }
}
