import LedgerDomain
import LedgerStore

/// A projection: the tables it keeps and how a batch of events changes them.
///
/// `apply` runs inside the projection store's write transaction, which also records the
/// checkpoint; it must change nothing outside that transaction.
public protocol Projection: Sendable {
    /// The projection's name, as `ledger rebuild --projection NAME` spells it.
    static var name: String { get }
    /// The tables of its store.
    static var tables: [String] { get }

    /// Folds `events` (consecutive, in log order) into the tables, unsealing personal data
    /// with `keys`.
    func apply(_ events: [RecordedEvent], keys: KeyRing, in transaction: ProjectionTransaction, store: ProjectionStore) throws

    /// Builds the tables from scratch from every event in `ledger` into the empty `store`,
    /// reporting progress as positions; returns the last position applied.
    func rebuild(from ledger: Ledger, into store: ProjectionStore, progress: (UInt64) -> Void) throws -> UInt64
}
