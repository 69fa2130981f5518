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
/// random index read maps a whole page-cache folio around the page read. So an import watches
/// them from a thread of its own (`watch`), every few milliseconds.
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

    /// Releases the maps of `book` when over budget; returns whether it did.
    @discardableResult
    func enforce(on book: ContactBook) -> Bool {
        guard let usage = Self.usage(), shouldRelease(usage) else { return false }
        book.ledger.releaseMappedPages()
        book.store.releaseMappedPages()
        return true
    }

    /// This process's resident memory, or nil when unknown. Read with one `read` into a stack
    /// buffer: the watch looks a hundred times a second.
    static func usage() -> Usage? {
        let descriptor = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256) { buffer in
            let count = read(descriptor, buffer.baseAddress, buffer.count)
            guard count > 0 else { return nil }
            return Usage(statm: UnsafeBufferPointer(rebasing: buffer[0..<count]), pageSize: Int64(sysconf(Int32(_SC_PAGESIZE))))
        }
    }
}

extension MappedPageBudget {
    /// How often `watch` looks: 5 ms, so the maps outgrow the limit by little between looks
    /// (a look is one read of statm; a release reads /proc/self/maps only when a map moved).
    static let watchInterval: useconds_t = 5_000

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
