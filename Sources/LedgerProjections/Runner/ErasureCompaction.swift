import LedgerStore

/// Finishes erasures at rest: after `contact.erased` is applied, the person's values can still
/// sit in freed pages of a projection file, so every projection is compacted
/// (`ProjectionRunner.compact`) and the erasure marks recorded before it began are cleared
/// (docs/erasure.md, decision 0016).
public enum ErasureCompaction {
    /// Compacts every projection of the catalogue, then clears the erasure marks that were
    /// pending when it began (each one's events were applied before its copy was taken);
    /// returns them. With `onlyWhenPending`, does nothing when no erasure is pending (for a
    /// server compacting erasures in batches). `open` holds the stores of projections this
    /// process has open, by name, used instead of opening them twice. `step` is told each
    /// projection's compaction steps (crash tests kill the process at each).
    @discardableResult
    public static func run(
        ledger: Ledger, open: [String: ProjectionStore] = [:], onlyWhenPending: Bool = false,
        step: (ProjectionDirectory.CompactionStep) -> Void = { _ in }
    ) throws -> [PendingErasure] {
        // Read before any copy: a mark read here was committed with its events, so every
        // catch-up below applies them.
        let pending = try ledger.pendingErasures()
        if onlyWhenPending && pending.isEmpty { return [] }
        for entry in ProjectionCatalog.all {
            _ = try entry.compact(ledger, open[entry.name], step)
        }
        try ledger.clearErasureMarks(pending)
        return pending
    }
}
