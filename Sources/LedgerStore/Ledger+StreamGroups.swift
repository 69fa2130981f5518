import CLMDB
import LedgerDomain

extension Ledger {
    /// Lends `body` the log through `through` (all of it when nil), grouped by stream, from one
    /// read transaction held until `body` returns.
    ///
    /// One pass over the log records where each record lies and its stream (read at fixed
    /// offsets, nothing decoded), then groups them; one pass over `keys` pairs each stream
    /// with its wrapped key. About 40 bytes per event are held, not the events. The snapshot
    /// pins the pages it reads, so a writer meanwhile grows the file rather than reusing them:
    /// meant for bulk jobs of seconds, not for a server's lifetime (and a writer that must grow
    /// the map waits for it to end, as for any read).
    public func withStreamGroupedLog<Result>(through limit: UInt64? = nil, _ body: (StreamGroupedLog) throws -> Result) throws -> Result {
        // LMDB's errors from the scan are named here; `body`'s own errors pass through as thrown.
        try environment.read { txn in
            let log = try storage("read the log grouped by stream") { () throws -> StreamGroupedLog in
                let last = try Self.lastPosition(txn: txn, tables: tables, limit: limit)
                var records = [StreamGroupedLog.Record]()
                var streams = [UInt64]()
                if last > 0 {
                    records.reserveCapacity(Int(min(last, 1 << 28)))
                    streams.reserveCapacity(Int(min(last, 1 << 28)))
                }
                var maxStream: UInt64 = 0
                try txn.withCursor(tables.log) { cursor in
                    var entry = try cursor.move(MDB_FIRST)
                    while let current = entry {
                        guard let position = Ledger.decodePosition(current.key) else {
                            throw LedgerError(.corrupt, "a log key is not a position; run `ledger verify`")
                        }
                        guard position <= last else { break }
                        guard let (stream, _) = EventRecord.streamAndVersion(of: current.value), let bytes = current.value.baseAddress else {
                            throw LedgerError(.corrupt, "the event at position \(position) cannot be decoded; run `ledger verify`")
                        }
                        guard records.count < Int(UInt32.max) else {
                            throw LedgerError(.invalidRequest, "the log holds more than \(UInt32.max) events, more than one grouped read can hold")
                        }
                        records.append(.init(position: position, bytes: bytes, count: current.value.count))
                        streams.append(stream)
                        maxStream = max(maxStream, stream)
                        entry = try cursor.move(MDB_NEXT)
                    }
                }
                var (order, groups) = StreamGroupedLog.grouping(streams, maxStream: maxStream)
                streams = []
                try Self.attachWrappedKeys(to: &groups, txn: txn, table: tables.keys)
                return StreamGroupedLog(records: records, order: order, groups: groups, vault: vault, last: last)
            }
            return try body(log)
        }
    }

    /// The last position of the snapshot `txn`, or `limit` when that is lower.
    private static func lastPosition(txn: LMDBTransaction, tables: Tables, limit: UInt64?) throws -> UInt64 {
        let last = try txn.withCursor(tables.log) { cursor in
            try cursor.move(MDB_LAST).flatMap { Ledger.decodePosition($0.key) }
        } ?? 0
        return limit.map { min($0, last) } ?? last
    }

    /// Walks `keys` (stream, big-endian → wrapped key) beside the ascending groups.
    private static func attachWrappedKeys(to groups: inout [StreamGroupedLog.Group], txn: LMDBTransaction, table: MDB_dbi) throws {
        guard !groups.isEmpty else { return }
        try txn.withCursor(table) { cursor in
            var entry = try cursor.move(MDB_FIRST)
            var index = 0
            while let current = entry, index < groups.count {
                guard current.key.count == 8 else {
                    throw LedgerError(.corrupt, "a key of the data-key table is \(current.key.count) bytes, not a stream; run `ledger verify`")
                }
                let stream = UInt64(bigEndian: current.key.loadUnaligned(as: UInt64.self))
                while index < groups.count && groups[index].stream < stream { index += 1 }
                if index < groups.count && groups[index].stream == stream {
                    groups[index].wrappedKey = current.value.baseAddress
                    groups[index].wrappedKeyCount = current.value.count
                    index += 1
                }
                entry = try cursor.move(MDB_NEXT)
            }
        }
    }
}
