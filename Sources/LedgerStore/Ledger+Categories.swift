import CLMDB
import LedgerDomain

extension Ledger {
    /// The highest stream number in use in `category`, nil when it has none: categories number
    /// their streams from 1 (decision 0014), so this is also how many it has.
    public func lastStream(in category: StreamCategory) throws -> StreamID? {
        try storage("read the last \(category) stream") {
            try environment.read { txn in
                let last = try StreamIndex(txn: txn, tables: tables, tail: streamTail).maxStream(in: category)
                return last > category.base ? StreamID(last) : nil
            }
        }
    }

    /// The events after position `after` (through the log's end, in one snapshot) whose
    /// streams are of `category`, and the last position looked at. Only those records are
    /// decoded; the others' stream numbers are read at their fixed offset, so a follower of a
    /// small category (the outbox) pays little for the contact events between.
    public func events(in category: StreamCategory, after position: UInt64, limit: Int = 4096) throws -> (events: [RecordedEvent], last: UInt64) {
        try storage("read the log's \(category) events") {
            try environment.read { txn in
                try txn.withCursor(tables.log) { cursor in
                    var last = position
                    var found = [RecordedEvent]()
                    var entry = try withUnsafeBytes(of: (position + 1).bigEndian) { try cursor.seek(atOrAfter: $0) }
                    while let current = entry, let at = Ledger.decodePosition(current.key), found.count < limit {
                        guard let (stream, _) = EventRecord.streamAndVersion(of: current.value) else {
                            throw LedgerError(.corrupt, "the record at position \(at) is malformed; run `ledger verify`")
                        }
                        if StreamID(stream).category == category { found.append(try decode(position: at, record: current.value)) }
                        last = at
                        entry = try cursor.move(MDB_NEXT)
                    }
                    return (found, last)
                }
            }
        }
    }
}
