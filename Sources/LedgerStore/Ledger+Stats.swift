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
    /// Streams in use, of every category.
    public var streams: UInt64
    /// Streams in use per category that has any, by the category's label (`contact`, `schema`,
    /// …). A ledger written before categories existed keeps its schema stream among the
    /// contact numbers; `ledger stats` counts contacts from the contact projection.
    public var streamsByCategory: [String: UInt64]
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
                let index = try StreamIndex(txn: txn, tables: tables, tail: streamTail)
                var byCategory = [String: UInt64]()
                for category in StreamCategory.allCases {
                    // Numbers are handed out densely within a category, from 1.
                    let count = try index.maxStream(in: category) - category.base
                    if count > 0 { byCategory[category.label] = count }
                }
                let streams = byCategory.values.reduce(0, +)
                var info = stat()
                let size: Int64 = stat(directory + "/data.mdb", &info) == 0 ? Int64(info.st_size) : 0
                return LedgerStats(events: events, lastPosition: last, streams: streams, streamsByCategory: byCategory, bytesOnDisk: size, mapSize: environment.mapSize)
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
