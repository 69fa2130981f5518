import Foundation
import Synchronization

/// The token import's memory budget: a thread looks at the process's resident set every 2 ms
/// and calls `release` (which releases both LMDB maps' pages) when it passes `limit`.
///
/// The contact importer's `MappedPageWatch` does the same at 256 MiB every 5 ms. A token
/// import's random `by-endpoint` reads (the projection's transaction and the look-ups of a
/// batch) map tens of MiB within a few milliseconds once the index holds a million tokens, so
/// its resident set went 45 to 70 MiB past that limit between two looks: 300 to 328 MiB at
/// the peak, with no margin under `tokens.import.peak_rss` (300 MiB). Looked at more often and
/// released earlier, the peak stays near 270 (docs/benchmarks.md, tokens, tokperf3).
///
/// Sizes come from `/proc/self/statm`; where it cannot be read nothing is released. Mapped
/// pages below `floor` are never released, so a heap that alone passes the limit does not
/// make every read fault.
final class TokenImportMemory: Sendable {
    /// Resident bytes past which the maps are released.
    static let limit: Int64 = 224 << 20
    /// Mapped (file-backed) resident bytes below which nothing is released.
    static let floor: Int64 = 32 << 20
    /// Microseconds between two looks.
    static let interval: UInt32 = 2_000

    private let stopped = Atomic(false)
    private let ended = DispatchSemaphore(value: 0)

    /// Starts watching; `release` runs on the watch's thread.
    init(releasing release: @escaping @Sendable () -> Void) {
        let thread = Thread { [self] in
            defer { ended.signal() }
            let page = Int64(sysconf(Int32(_SC_PAGESIZE)))
            let file = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
            defer { if file >= 0 { close(file) } }
            guard file >= 0 else { return }
            while !stopped.load(ordering: .relaxed) {
                usleep(Self.interval)
                guard let (resident, mapped) = Self.usage(file), resident * page > Self.limit, mapped * page > Self.floor else { continue }
                release()
            }
        }
        thread.name = "ledger-tokens-memory"
        thread.start()
    }

    /// Stops the watch and waits for its thread to end, so the maps may be closed after.
    func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        ended.wait()
    }

    /// "resident" and "shared" (pages) of `/proc/self/statm` ("size resident shared …"), read
    /// again from its start through the open descriptor.
    static func usage(_ file: Int32) -> (resident: Int64, mapped: Int64)? {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { buffer -> (Int64, Int64)? in
            let count = pread(file, buffer.baseAddress, buffer.count, 0)
            guard count > 0 else { return nil }
            return parse(UnsafeBufferPointer(rebasing: buffer[..<count]))
        }
    }

    /// The second and third numbers of a statm line; nil when it is not one.
    static func parse(_ text: some Sequence<UInt8>) -> (resident: Int64, mapped: Int64)? {
        var fields = [Int64]()
        fields.reserveCapacity(3)
        var value: Int64?
        for byte in text {
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
        return (fields[1], fields[2])
    }
}
