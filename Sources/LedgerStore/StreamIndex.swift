import CLMDB
import LedgerDomain

/// Reading the `streams` table: stream (u64) ‖ version (u64) → position.
enum StreamIndex {
    /// The version of the last event of `stream`, 0 when it has none.
    static func lastVersion(of stream: StreamID, cursor: LMDBCursor) throws -> UInt64 {
        // Seek to the first key of the next stream and step back one entry.
        let entry: LMDBCursor.Entry?
        if stream.rawValue == UInt64.max {
            entry = try cursor.move(MDB_LAST)
        } else if try withUnsafeBytes(of: ((stream.rawValue + 1).bigEndian, UInt64(0)), { try cursor.seek(atOrAfter: $0) }) != nil {
            entry = try cursor.move(MDB_PREV)
        } else {
            entry = try cursor.move(MDB_LAST)
        }
        guard let entry, entry.key.count == 16 else { return 0 }
        let found = UInt64(bigEndian: entry.key.loadUnaligned(as: UInt64.self))
        guard found == stream.rawValue else { return 0 }
        return UInt64(bigEndian: entry.key.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
    }
}
