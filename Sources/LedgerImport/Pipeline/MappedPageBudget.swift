import Foundation
import Synchronization
import LedgerContacts
import LedgerStore

/// Keeps an import's resident memory from growing with the store: once the file pages mapped
/// into the process (the ledger's and the projection's LMDB maps, which the kernel fills as
/// the batches read index pages) pass `limit`, both maps are released.
///
/// Resident file pages come from `/proc/self/statm` (its third field, "shared": resident
/// file-backed pages); where it cannot be read nothing is released.
///
/// Checked after each batch, the maps still grew by 100 MiB and more within one batch: each
/// random index read maps a whole page-cache folio around the page read. So an import watches
/// them from a thread of its own (`watch`), every few milliseconds.
struct MappedPageBudget: Sendable {
    /// 160 MiB: a 2.5 M-row import peaks at 270–275 MiB with it, with half the page faults of
    /// 128 MiB (docs/benchmarks.md, "Where the import stands after session 4").
    static let defaultLimit: Int64 = 160 << 20

    let limit: Int64

    init(limit: Int64 = defaultLimit) {
        self.limit = limit
    }

    /// Releases the maps of `book` when over budget; returns whether it did.
    @discardableResult
    func enforce(on book: ContactBook) -> Bool {
        guard let resident = Self.residentFileBytes(), resident > limit else { return false }
        book.ledger.releaseMappedPages()
        book.store.releaseMappedPages()
        return true
    }

    /// Resident file-backed bytes of this process, or nil when unknown.
    static func residentFileBytes() -> Int64? {
        // Read to the end: /proc files report a size of 0, which whole-file readers may trust.
        guard let handle = FileHandle(forReadingAtPath: "/proc/self/statm") else { return nil }
        defer { try? handle.close() }
        let text = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        let fields = text.split(separator: " ")
        guard fields.count > 2, let pages = Int64(fields[2]) else { return nil }
        return pages * Int64(sysconf(Int32(_SC_PAGESIZE)))
    }
}

extension MappedPageBudget {
    /// How often `watch` looks: what one import batch's index reads map in 10 ms is a few MiB.
    static let watchInterval: useconds_t = 10_000

    /// Enforces the budget on `book` from a thread of its own until the watch is stopped.
    /// Releasing a map while other threads read it is safe (see `releaseMappedPages`): they
    /// fault the pages in again from the page cache.
    func watch(_ book: ContactBook) -> Watch {
        let watch = Watch()
        let thread = Thread { [self] in
            defer { watch.ended.signal() }
            while !watch.stopped.load(ordering: .relaxed) {
                usleep(Self.watchInterval)
                enforce(on: book)
            }
        }
        thread.name = "ledger-import-memory"
        thread.start()
        return watch
    }

    /// A running `watch`.
    final class Watch: Sendable {
        fileprivate let stopped = Atomic(false)
        fileprivate let ended = DispatchSemaphore(value: 0)

        /// Stops the watch and waits for its thread to end, so the book may be closed after.
        func stop() {
            guard !stopped.exchange(true, ordering: .relaxed) else { return }
            ended.wait()
        }
    }
}
