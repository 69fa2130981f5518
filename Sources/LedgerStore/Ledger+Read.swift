import CLMDB
import LedgerDomain
import Logging

extension Ledger {
    /// The position of the last event, 0 when the log is empty.
    public func lastPosition() throws -> UInt64 {
        try storage("read the last position") {
            try environment.read { txn in
                try txn.withCursor(tables.log) { cursor in
                    try cursor.move(MDB_LAST).flatMap { Ledger.decodePosition($0.key) } ?? 0
                }
            }
        }
    }

    /// Up to `limit` events from position `from` on, in log order, read in one snapshot.
    public func read(from position: UInt64, limit: Int) throws -> [RecordedEvent] {
        var events = [RecordedEvent]()
        events.reserveCapacity(min(limit, 4096))
        try forEachEvent(from: position, limit: limit) { events.append($0) }
        return events
    }

    /// Calls `body` with each event from position `from` on, in log order.
    ///
    /// Events are read in batches of `batchSize`, each batch in its own short read
    /// transaction, so a long scan neither pins old pages nor blocks map growth.
    public func forEachEvent(
        from position: UInt64 = 1,
        limit: Int = .max,
        batchSize: Int = 8192,
        _ body: (RecordedEvent) throws -> Void
    ) throws {
        try forEachRecord(from: position, limit: limit, batchSize: batchSize) { _, found, record in
            try body(try decode(position: found, record: record))
        }
    }

    /// Calls `body` with each stored record from `position` on, at most `limit` of them and
    /// none past `last`, in batches of `batchSize`, each in its own short read transaction
    /// (handed to `body` for lookups that must see the same snapshot).
    func forEachRecord(
        from position: UInt64,
        through last: UInt64 = .max,
        limit: Int = .max,
        batchSize: Int,
        _ body: (LMDBTransaction, UInt64, UnsafeRawBufferPointer) throws -> Void
    ) throws {
        var next = max(position, 1)
        var remaining = limit
        while remaining > 0 && next <= last {
            let wanted = min(batchSize, remaining)
            let (count, finished) = try storage("read the log") {
                try environment.read { txn in
                    try txn.withCursor(tables.log) { cursor in
                        var count = 0
                        var entry = try withUnsafeBytes(of: next.bigEndian) { try cursor.seek(atOrAfter: $0) }
                        while let current = entry, count < wanted {
                            guard let found = Ledger.decodePosition(current.key) else {
                                throw LedgerError(.corrupt, "a log key after position \(next) is not a position; run `ledger verify`")
                            }
                            guard found <= last else { return (count, true) }
                            try body(txn, found, current.value)
                            next = found + 1
                            count += 1
                            if count < wanted { entry = try cursor.move(MDB_NEXT) }
                        }
                        return (count, count < wanted)
                    }
                }
            }
            if finished { return }
            remaining -= count
        }
    }

    /// The event at `position`, or nil when there is none.
    public func event(at position: UInt64) throws -> RecordedEvent? {
        try storage("read an event") {
            try environment.read { txn in
                try withUnsafeBytes(of: position.bigEndian) { key in
                    try txn.get(tables.log, key: key).map { try decode(position: position, record: $0) }
                }
            }
        }
    }

    /// The position of the event with id `id`, or nil when it was never appended.
    public func position(of id: EventID) throws -> UInt64? {
        try storage("look up an event id") {
            try environment.read { txn in
                try withUnsafeBytes(of: (id.high.bigEndian, id.low.bigEndian)) { key in
                    try txn.get(tables.eventIDs, key: key).flatMap(Ledger.decodePosition)
                }
            }
        }
    }

    /// The events of one stream, oldest first, from version `fromVersion` on.
    public func readStream(_ stream: StreamID, fromVersion: UInt64 = 1) throws -> [RecordedEvent] {
        try storage("read stream \(stream)") {
            try environment.read { txn in
                let index = try StreamIndex(txn: txn, tables: tables, tail: streamTail)
                return try index.entries(of: stream, fromVersion: fromVersion).map { entry in
                    let record = try withUnsafeBytes(of: entry.position.bigEndian) { try txn.get(tables.log, key: $0) }
                    guard let record else {
                        throw LedgerError(.corrupt, "stream \(stream) points at position \(entry.position), which is not in the log")
                    }
                    return try decode(position: entry.position, record: record)
                }
            }
        }
    }

    /// The version of the last event of `stream`, 0 when it has none.
    public func version(of stream: StreamID) throws -> UInt64 {
        try storage("read the version of stream \(stream)") {
            try environment.read { txn in
                try StreamIndex(txn: txn, tables: tables, tail: streamTail).lastVersion(of: stream)
            }
        }
    }

    /// The versions of several streams (0 for one with no events), read in one snapshot: a bulk
    /// writer's batch asks for many at once.
    public func versions(of streams: [StreamID]) throws -> [UInt64] {
        try storage("read stream versions") {
            try environment.read { txn in
                let index = try StreamIndex(txn: txn, tables: tables, tail: streamTail)
                return try streams.map { try index.lastVersion(of: $0) }
            }
        }
    }

    /// The versions `streams` were at when the log ended at `position` (0 for a stream with no
    /// event by then): the expected versions of a writer that decided from a projection at
    /// `position`, so that anything appended to those streams since is a conflict.
    public func versions(of streams: [StreamID], through position: UInt64) throws -> [UInt64] {
        try storage("read stream versions") {
            try environment.read { txn in
                let index = try StreamIndex(txn: txn, tables: tables, tail: streamTail)
                return try streams.map { try index.version(of: $0, through: position) }
            }
        }
    }

    func decode(position: UInt64, record: UnsafeRawBufferPointer) throws -> RecordedEvent {
        do {
            return try RecordedEvent(position: position, record: record)
        } catch {
            throw LedgerError(.corrupt, "the event at position \(position) cannot be decoded (\(error)); run `ledger verify`")
        }
    }

    /// Runs a storage step, turning LMDB's errors into ledger errors that say what failed.
    func storage<Result>(_ what: @autoclosure () -> String, _ body: () throws -> Result) throws -> Result {
        do {
            return try body()
        } catch let error as LMDBError {
            throw LedgerError(.storage, "cannot \(what())", cause: error)
        }
    }
}

extension Ledger {
    /// Whether any event after position `after` (through the log's end, in one snapshot)
    /// belongs to a stream of `categories`; the records' stream numbers are read at their
    /// fixed offset, nothing is decoded. Returns the last position looked at too.
    ///
    /// A contact writer asks it to learn whether what other writers appended since its
    /// snapshot (the outbox, tokens, …) touched contacts at all.
    public func appendedToAny(of categories: Set<StreamCategory>, after position: UInt64) throws -> (touched: Bool, last: UInt64) {
        try storage("read the log's newest streams") {
            try environment.read { txn in
                try txn.withCursor(tables.log) { cursor in
                    var last = position
                    var entry = try withUnsafeBytes(of: (position + 1).bigEndian) { try cursor.seek(atOrAfter: $0) }
                    while let current = entry, let at = Ledger.decodePosition(current.key) {
                        guard let (stream, _) = EventRecord.streamAndVersion(of: current.value) else {
                            throw LedgerError(.corrupt, "the record at position \(at) is malformed; run `ledger verify`")
                        }
                        last = at
                        // A category this build does not know counts as touching: be safe.
                        guard let category = StreamID(stream).category, !categories.contains(category) else { return (true, last) }
                        entry = try cursor.move(MDB_NEXT)
                    }
                    return (false, last)
                }
            }
        }
    }

    /// Where the ledger logs what it does (never contact data).
    public var logger: Logger { options.logger }
}
