import Foundation
import Synchronization

/// The contact importer's memory budget (`MappedPageBudget`) for other bulk writers (the push
/// token import): a thread looks at the process's resident set every millisecond and calls `release`
/// (which releases the LMDB maps' pages, `Ledger.releaseMappedPages`) when it passes 256 MiB.
public final class MappedPageWatch: Sendable {
    private let stopped = Atomic(false)
    private let ended = DispatchSemaphore(value: 0)

    /// Starts watching; `release` runs on the watch's thread.
    public init(releasing release: @escaping @Sendable () -> Void) {
        let budget = MappedPageBudget()
        let thread = Thread { [self] in
            defer { ended.signal() }
            let statm = MappedPageBudget.StatmReader()
            while !stopped.load(ordering: .relaxed) {
                usleep(MappedPageBudget.watchInterval)
                if let usage = statm?.usage(), budget.shouldRelease(usage) { release() }
            }
        }
        thread.name = "ledger-import-memory"
        thread.start()
    }

    /// Stops the watch and waits for its thread to end, so the maps may be closed after.
    public func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        ended.wait()
    }
}
