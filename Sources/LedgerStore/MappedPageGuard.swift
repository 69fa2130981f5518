import Synchronization

/// A look at the process's mapped pages taken by the thread that maps them, every `every`
/// index operations of a projection store (`ProjectionStore.guardMappedPages`).
///
/// A bulk writer's random index reads and inserts map the page-cache folio around each page
/// they touch, at up to 15 MiB a millisecond; a watching thread of its own (the importer's
/// `MappedPageBudget.watch`) found the resident set 60 MiB past its limit before it ran and
/// released the maps (docs/benchmarks.md, session 13). Checked from the working thread, the
/// growth between two looks is bounded by the operations between them, however the threads
/// are scheduled.
public final class MappedPageGuard: Sendable {
    private let count = Atomic<Int>(0)
    private let every: Int
    private let check: @Sendable () -> Void

    /// Calls `check` on every `every`th operation, on the thread making it; `check` may
    /// release the store's maps (`ProjectionStore.releaseMappedPages`): pages in use are
    /// faulted in again from the page cache.
    public init(every: Int = 128, check: @escaping @Sendable () -> Void) {
        precondition(every > 0, "a guard looks after at least one operation")
        self.every = every
        self.check = check
    }

    /// Counts one operation.
    @inline(__always)
    func tick() {
        if count.add(1, ordering: .relaxed).newValue % every == 0 { check() }
    }
}
