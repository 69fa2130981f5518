import CLMDB
import LedgerDomain
#if canImport(Glibc)
import Glibc
#endif

/// The size and shape of a ledger, for `ledger stats`.
public struct LedgerStats: Sendable, Codable {
    /// Events in the log.
    public var events: Int
    /// The last position, 0 when empty.
    public var lastPosition: UInt64
    /// The highest stream number in use.
    public var streams: UInt64
    /// Bytes of `data.mdb` on disk.
    public var bytesOnDisk: Int64
    /// The current LMDB map size in bytes.
    public var mapSize: Int
}

extension Ledger {
    /// Counts events and streams and measures the store on disk.
    public func stats() throws -> LedgerStats {
        try storage("read statistics") {
            try environment.read { txn in
                let events = try txn.count(tables.log)
                let last = try txn.withCursor(tables.log) { try $0.move(MDB_LAST).flatMap { Ledger.decodePosition($0.key) } } ?? 0
                let streams = try StreamIndex(txn: txn, tables: tables, tail: streamTail).maxStream()
                var info = stat()
                let size: Int64 = stat(directory + "/data.mdb", &info) == 0 ? Int64(info.st_size) : 0
                return LedgerStats(events: events, lastPosition: last, streams: streams, bytesOnDisk: size, mapSize: environment.mapSize)
            }
        }
    }
}

extension Ledger {
    /// Transactions committed by this process's writer since open, and the appends they
    /// carried: their ratio is how well group commit is sharing fsyncs.
    public var writerStatistics: (commits: Int, appends: Int) {
        let statistics = committer.statistics
        return (statistics.commits, statistics.jobs)
    }
}
