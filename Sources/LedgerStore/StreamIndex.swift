import CLMDB
import LedgerDomain

/// The whole stream index as one snapshot sees it: the `streams` table (stream ‖ version →
/// position, for events up to `indexed-through`), plus the newer entries of `StreamTail`.
struct StreamIndex {
    let txn: LMDBTransaction
    let tables: Ledger.Tables
    let tail: StreamTail
    let bounds: StreamTail.Bounds

    /// Opens the index for the snapshot `txn`, bringing the tail up to date with it.
    init(txn: LMDBTransaction, tables: Ledger.Tables, tail: StreamTail) throws {
        self.txn = txn
        self.tables = tables
        self.tail = tail
        self.bounds = try tail.refresh(txn: txn, tables: tables)
    }

    /// Every (version, position) of `stream` from `fromVersion` on, in order.
    func entries(of stream: StreamID, fromVersion: UInt64 = 1) throws -> [(version: UInt64, position: UInt64)] {
        var found = [(version: UInt64, position: UInt64)]()
        try txn.withCursor(tables.streams) { cursor in
            var entry = try withUnsafeBytes(of: (stream.rawValue.bigEndian, max(fromVersion, 1).bigEndian)) {
                try cursor.seek(atOrAfter: $0)
            }
            while let current = entry, current.key.count == 16,
                  UInt64(bigEndian: current.key.loadUnaligned(as: UInt64.self)) == stream.rawValue {
                guard let position = Ledger.decodePosition(current.value) else {
                    throw LedgerError(.corrupt, "the stream index entry of stream \(stream) is malformed; run `ledger verify`")
                }
                found.append((UInt64(bigEndian: current.key.loadUnaligned(fromByteOffset: 8, as: UInt64.self)), position))
                entry = try cursor.move(MDB_NEXT)
            }
        }
        found.append(contentsOf: try gapEntries(of: stream).filter { $0.version >= fromVersion })
        found.append(contentsOf: tail.entries(of: stream.rawValue, within: bounds).filter { $0.version >= fromVersion }.map { ($0.version, $0.position) })
        return found
    }

    /// The version of the last event of `stream`, 0 when it has none.
    func lastVersion(of stream: StreamID) throws -> UInt64 {
        if let last = tail.entries(of: stream.rawValue, within: bounds).last { return last.version }
        if let last = try gapEntries(of: stream).last { return last.version }
        return try txn.withCursor(tables.streams) { try Self.lastTableVersion(of: stream, cursor: $0) }
    }

    /// The highest stream number in use in `category` (its base when it has none): the last
    /// key of the table below the category's limit, or the tail's, whichever is higher.
    func maxStream(in category: StreamCategory) throws -> UInt64 {
        let table = try txn.withCursor(tables.streams) { cursor -> UInt64? in
            // The first key at or after the next category's start; the entry before it is the
            // category's last (or another category's, checked below).
            let after = try withUnsafeBytes(of: (category.limit.bigEndian, UInt64(0))) { try cursor.seek(atOrAfter: $0) }
            let last = try after == nil ? cursor.move(MDB_LAST) : cursor.move(MDB_PREV)
            guard let last, last.key.count == 16 else { return nil }
            let stream = UInt64(bigEndian: last.key.loadUnaligned(as: UInt64.self))
            return stream >= category.base && stream < category.limit ? stream : nil
        } ?? category.base
        return max(table, tail.maxStream(in: category))
    }

    /// Entries in the log between this snapshot's `indexed-through` and the tail's start: only
    /// a snapshot older than the tail's last merge has such a gap, and it reads the log for it.
    private func gapEntries(of stream: StreamID) throws -> [(version: UInt64, position: UInt64)] {
        let tailBase = tail.base
        guard tailBase > bounds.indexedThrough else { return [] }
        var found = [(version: UInt64, position: UInt64)]()
        try txn.withCursor(tables.log) { cursor in
            var entry = try withUnsafeBytes(of: (bounds.indexedThrough + 1).bigEndian) { try cursor.seek(atOrAfter: $0) }
            while let current = entry, let position = Ledger.decodePosition(current.key), position <= min(tailBase, bounds.lastPosition) {
                guard let (eventStream, version) = EventRecord.streamAndVersion(of: current.value) else {
                    throw LedgerError(.corrupt, "the record at position \(position) is malformed; run `ledger verify`")
                }
                if eventStream == stream.rawValue { found.append((version, position)) }
                entry = try cursor.move(MDB_NEXT)
            }
        }
        return found
    }

    /// The version `stream` was at when the log ended at `position`: its last event at or
    /// before it (0: none yet). What a writer that read a projection at `position` expects.
    func version(of stream: StreamID, through position: UInt64) throws -> UInt64 {
        if let last = tail.entries(of: stream.rawValue, within: bounds).last(where: { $0.position <= position }) { return last.version }
        if let last = try gapEntries(of: stream).last(where: { $0.position <= position }) { return last.version }
        return try txn.withCursor(tables.streams) { cursor in
            // The stream's last table entry, then back while past `position` (usually not at all).
            var entry = try Self.lastTableEntry(at: stream, cursor: cursor)
            while let current = entry, current.key.count == 16, current.value.count == 8,
                  UInt64(bigEndian: current.key.loadUnaligned(as: UInt64.self)) == stream.rawValue {
                if UInt64(bigEndian: current.value.loadUnaligned(as: UInt64.self)) <= position {
                    return UInt64(bigEndian: current.key.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
                }
                entry = try cursor.move(MDB_PREV)
            }
            return 0
        }
    }

    /// The last version of `stream` in the `streams` table alone.
    static func lastTableVersion(of stream: StreamID, cursor: LMDBCursor) throws -> UInt64 {
        guard let entry = try lastTableEntry(at: stream, cursor: cursor), entry.key.count == 16 else { return 0 }
        let found = UInt64(bigEndian: entry.key.loadUnaligned(as: UInt64.self))
        guard found == stream.rawValue else { return 0 }
        return UInt64(bigEndian: entry.key.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
    }

    /// The table entry just before the next stream's first key: `stream`'s last entry when it
    /// has one in the table (the caller checks the key's stream).
    private static func lastTableEntry(at stream: StreamID, cursor: LMDBCursor) throws -> LMDBCursor.Entry? {
        if stream.rawValue == UInt64.max {
            return try cursor.move(MDB_LAST)
        } else if try withUnsafeBytes(of: ((stream.rawValue + 1).bigEndian, UInt64(0)), { try cursor.seek(atOrAfter: $0) }) != nil {
            return try cursor.move(MDB_PREV)
        } else {
            return try cursor.move(MDB_LAST)
        }
    }
}
