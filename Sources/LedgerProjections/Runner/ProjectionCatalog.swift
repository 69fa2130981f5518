import LedgerDomain
import LedgerStore

/// Every projection the ledger keeps, in the order they are rebuilt: the one list `ledger
/// rebuild`, `ledger verify --projections` and the server use, so none keeps its own.
public enum ProjectionCatalog {
    /// One projection, with what the commands do to it, its type erased.
    public struct Entry: Sendable {
        /// The projection's name, as `--projection` spells it.
        public let name: String
        /// Rebuilds it into a fresh generation and swaps it in, reporting log positions;
        /// returns the last position folded.
        public let rebuild: @Sendable (Ledger, (UInt64) -> Void) throws -> UInt64
        /// Catches the live generation up and compares it with a fresh fold of the log.
        public let check: @Sendable (Ledger) throws -> ProjectionCheckReport
        /// Catches the live generation up with the log; returns its checkpoint.
        public let catchUp: @Sendable (Ledger) throws -> UInt64
        /// Catches the live generation up and replaces it by a copy holding only its live
        /// pages (`ProjectionRunner.compact`), through the caller's store of it when given,
        /// telling each step; returns the copy's checkpoint.
        public let compact: @Sendable (Ledger, ProjectionStore?, (ProjectionDirectory.CompactionStep) -> Void) throws -> UInt64

        /// An entry for `projection`, checked with `check` when given, otherwise by comparing
        /// its tables with a rebuild of them (`ProjectionRebuildComparison`).
        public init<Kind: Projection>(
            _ projection: Kind,
            check: (@Sendable (Ledger, ProjectionStore) throws -> ProjectionCheckReport)? = nil
        ) {
            name = Kind.name
            rebuild = { ledger, progress in
                try ProjectionRunner(ledger: ledger, projection: projection).rebuild(progress: progress)
            }
            compact = { ledger, store, step in
                try ProjectionRunner(ledger: ledger, projection: projection).compact(store: store, step: step)
            }
            catchUp = { ledger in
                let runner = ProjectionRunner(ledger: ledger, projection: projection)
                let store = try runner.openStore()
                defer { store.close() }
                return try runner.catchUp(store: store)
            }
            self.check = { ledger in
                let runner = ProjectionRunner(ledger: ledger, projection: projection)
                let store = try runner.openStore()
                defer { store.close() }
                try runner.catchUp(store: store)
                if let check { return try check(ledger, store) }
                return try ProjectionRebuildComparison.run(projection, ledger: ledger, store: store)
            }
        }
    }

    /// Every projection, in rebuild order.
    public static let all: [Entry] = [
        Entry(ContactProjection(), check: { ledger, store in try ContactProjectionCheck.run(ledger: ledger, store: store) }),
    ]

    /// The projection called `name`, if there is one.
    public static func named(_ name: String) -> Entry? {
        all.first { $0.name == name }
    }

    /// The names, for messages.
    public static var names: [String] { all.map(\.name) }
}
