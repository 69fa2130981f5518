import Foundation
import Synchronization
import LedgerContacts
import LedgerStore

/// Keeps an import's resident memory under `limit` however large the store grows: when the
/// process's resident set passes it, both LMDB maps (the ledger's and the projection's, which
/// the kernel fills as the batches read index pages) are released.
///
/// The limit is on the whole resident set, not on the maps alone: the heap's share moves by
/// tens of MiB with the batches in flight, and a fixed map budget on top of it let the peak
/// swing from 280 to 306 MiB between runs of the same import. Measured against the total, the
/// maps get what the heap leaves. Maps holding less than `floor` are never released, so a heap
/// that alone passes the limit does not make every read fault.
///
/// Sizes come from `/proc/self/statm` ("resident" and "shared", the resident file-backed
/// pages); where it cannot be read nothing is released.
///
/// Checked after each batch, the maps still grew by 100 MiB and more within one batch: each
/// random index read maps a whole page-cache folio around the page read. So an import looks
/// from the thread that does the projection's index work, every so many operations, and from
/// a thread of its own every millisecond (`watch`).
struct MappedPageBudget: Sendable {
    /// 256 MiB of resident memory: with the overshoot between two looks, a 2.5 M-row import
    /// peaks under 300 MB (docs/benchmarks.md).
    static let defaultLimit: Int64 = 256 << 20
    /// Mapped file pages below which nothing is released.
    static let floor: Int64 = 32 << 20

    let limit: Int64

    init(limit: Int64 = defaultLimit) {
        self.limit = limit
    }

    /// The process's resident memory, in bytes.
    struct Usage: Equatable {
        /// The whole resident set.
        let resident: Int64
        /// Its file-backed part (the maps, the program and its libraries).
        let file: Int64

        /// Reads the text of `/proc/self/statm` ("size resident shared text lib data dt", in
        /// pages); nil when it is not that.
        init?(statm: some Collection<UInt8>, pageSize: Int64) {
            var fields = [Int64]()
            var value: Int64?
            for byte in statm {
                if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                    let (product, overflow) = (value ?? 0).multipliedReportingOverflow(by: 10)
                    guard !overflow else { return nil }
                    value = product + Int64(byte - UInt8(ascii: "0"))
                } else {
                    if let finished = value { fields.append(finished) }
                    value = nil
                    if fields.count == 3 { break }
                }
            }
            if let finished = value, fields.count < 3 { fields.append(finished) }
            guard fields.count == 3 else { return nil }
            resident = fields[1] * pageSize
            file = fields[2] * pageSize
        }

        init(resident: Int64, file: Int64) {
            self.resident = resident
            self.file = file
        }
    }

    /// Whether `usage` calls for releasing the maps.
    func shouldRelease(_ usage: Usage) -> Bool {
        usage.resident > limit && usage.file > Self.floor
    }

    /// Releases the maps of `book` when over budget.
    func enforce(on book: ContactBook, reading statm: StatmReader?) {
        guard let usage = statm?.usage(), shouldRelease(usage) else { return }
        book.ledger.releaseMappedPages()
        book.store.releaseMappedPages()
    }

    /// `/proc/self/statm`, kept open: a watch reads it a thousand times a second, one `pread`
    /// into a stack buffer each (a proc file is generated afresh by each read from offset 0).
    final class StatmReader: Sendable {
        private let descriptor: Int32
        private let pageSize = Int64(sysconf(Int32(_SC_PAGESIZE)))

        init?() {
            descriptor = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { return nil }
        }

        deinit {
            close(descriptor)
        }

        func usage() -> Usage? {
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256) { buffer in
                let count = pread(descriptor, buffer.baseAddress, buffer.count, 0)
                guard count > 0 else { return nil }
                return Usage(statm: UnsafeBufferPointer(rebasing: buffer[0..<count]), pageSize: pageSize)
            }
        }
    }
}

extension MappedPageBudget {
    /// How often `watch` looks: every millisecond. A batch's index work maps the pages it reads
    /// at up to 15 MiB a millisecond (each fault maps the page-cache folio around the page), so
    /// 5 ms between looks let the resident set pass the limit by 40–50 MiB; a look is one
    /// `pread` of statm, about 0.3 % of a core at this rate (docs/benchmarks.md, session 13).
    static let watchInterval: useconds_t = 1_000

    /// Enforces the budget on `book` until the watch is stopped: from the thread that works
    /// the projection's indexes, every 128 of its index operations (`MappedPageGuard`), which
    /// bounds what a batch's index work maps between two looks, and from a thread of its own
    /// every millisecond, for the ledger's map and whatever else grows. Releasing a map while
    /// other threads read it is safe (see `releaseMappedPages`): they fault the pages in
    /// again from the page cache.
    func watch(_ book: ContactBook) -> Watch {
        let watch = Watch(store: book.store)
        let statm = StatmReader()
        book.store.guardMappedPages(MappedPageGuard(every: Self.guardInterval) { [self] in
            enforce(on: book, reading: statm)
        })
        let thread = Thread { [self] in
            defer { watch.ended.signal() }
            while !watch.stopped.load(ordering: .relaxed) {
                usleep(Self.watchInterval)
                enforce(on: book, reading: statm)
            }
        }
        thread.name = "ledger-import-memory"
        thread.start()
        return watch
    }

    /// Index operations between two looks from the working thread: each maps up to about
    /// 100 KiB (the folio around the page it touches), so the maps grow by at most ~12 MiB
    /// between looks, and a look (one `pread` of statm) costs about 1 % of the operations.
    static let guardInterval = 128

    /// A running `watch`.
    final class Watch: Sendable {
        fileprivate let stopped = Atomic(false)
        fileprivate let ended = DispatchSemaphore(value: 0)
        private let store: ProjectionStore

        fileprivate init(store: ProjectionStore) {
            self.store = store
        }

        /// Stops the watch and waits for its thread to end, so the book may be closed after.
        func stop() {
            guard !stopped.exchange(true, ordering: .relaxed) else { return }
            store.guardMappedPages(nil)
            ended.wait()
        }
    }
}
