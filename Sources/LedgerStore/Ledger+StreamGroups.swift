import CLMDB
import Dispatch
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
        try withStreamGroupedLog(through: limit, halvesFrom: Self.parallelScanThreshold, body)
    }

    /// The same, scanning in two halves at once from `halvesFrom` events on (tests lower it).
    func withStreamGroupedLog<Result>(through limit: UInt64?, halvesFrom: UInt64, _ body: (StreamGroupedLog) throws -> Result) throws -> Result {
        // LMDB's errors from the scan are named here; `body`'s own errors pass through as thrown.
        try environment.read { txn in
            let last = try storage("read the log") { try Self.lastPosition(txn: txn, tables: tables, limit: limit) }
            // A large log is scanned in two halves at once: the second half by another thread
            // in its own read transaction, begun after this one so it sees every position
            // through `last`, and held open until `body` returns (its pointers live that long).
            // That transaction is only begun if it need not wait (`readIfFree`): behind a
            // resizer, which waits for this one to end, it would never begin.
            let second = last >= max(2, halvesFrom) ? SecondHalfScan() : nil
            defer { second?.finish() }
            let log = try storage("read the log grouped by stream") { () throws -> StreamGroupedLog in
                let scanned = try second.flatMap { try scanInHalves(txn: txn, last: last, second: $0) }
                    ?? scanSequentially(txn: txn, last: last)
                var (order, groups) = StreamGroupedLog.grouping(scanned.streams, maxStream: scanned.maxStream)
                try Self.attachWrappedKeys(to: &groups, txn: txn, table: tables.keys)
                return StreamGroupedLog(records: scanned.records, order: order, groups: groups, vault: vault, last: last)
            }
            return try body(log)
        }
    }

    /// Below this many events one thread scans the whole log.
    static let parallelScanThreshold: UInt64 = 1 << 16

    /// What a scan found: each record's place, its stream, and the highest stream.
    private struct Scanned {
        var records: [StreamGroupedLog.Record]
        var streams: [UInt64]
        var maxStream: UInt64
    }

    /// Reads the records of positions 1 through `last` with one cursor, in order.
    private func scanSequentially(txn: LMDBTransaction, last: UInt64) throws -> Scanned {
        guard last < UInt64(UInt32.max) else {
            throw LedgerError(.invalidRequest, "the log holds more than \(UInt32.max) events, more than one grouped read can hold")
        }
        var scanned = Scanned(records: [], streams: [], maxStream: 0)
        scanned.records.reserveCapacity(Int(last))
        scanned.streams.reserveCapacity(Int(last))
        try txn.withCursor(tables.log) { cursor in
            var entry = try cursor.move(MDB_FIRST)
            while let current = entry {
                guard let position = Ledger.decodePosition(current.key) else {
                    throw LedgerError(.corrupt, "a log key is not a position; run `ledger verify`")
                }
                guard position <= last else { break }
                let (record, stream) = try Self.locate(position, current.value)
                scanned.records.append(record)
                scanned.streams.append(stream)
                scanned.maxStream = max(scanned.maxStream, stream)
                entry = try cursor.move(MDB_NEXT)
            }
        }
        return scanned
    }

    /// Reads positions 1 through `last` in two halves at once, each record into slot
    /// position − 1; nil when the positions are not dense (then one thread scans again).
    private func scanInHalves(txn: LMDBTransaction, last: UInt64, second: SecondHalfScan) throws -> Scanned? {
        let split = last / 2
        var maxStream: UInt64 = 0
        var dense = true
        var streams = [UInt64](repeating: 0, count: Int(last))
        let records = try [StreamGroupedLog.Record](unsafeUninitializedCapacity: Int(last)) { recordSlots, initialized in
            try streams.withUnsafeMutableBufferPointer { streamSlots in
                guard let recordBase = recordSlots.baseAddress, let streamBase = streamSlots.baseAddress else { return }
                let slots = ScanSlots(records: recordBase, streams: streamBase)
                second.start(environment: environment, table: tables.log, range: (split + 1)...last, slots: slots)
                // The other half is waited for whatever this one meets: it writes into this buffer.
                let firstOutcome = Result { try txn.withCursor(tables.log) { try Self.scanDense($0, range: 1...split, into: slots) } }
                let otherOutcome = Result { try second.waitForScan() }
                let first = try firstOutcome.get()
                var other = try otherOutcome.get()
                if !other.scanned {
                    let rest = try txn.withCursor(tables.log) { try Self.scanDense($0, range: (split + 1)...last, into: slots) }
                    other = (rest.dense, rest.maxStream, true)
                }
                dense = first.dense && other.dense
                maxStream = max(first.maxStream, other.maxStream)
            }
            // Record is a plain value (a pointer and integers): slots left unwritten by a
            // scan that found a gap are simply not counted.
            initialized = dense ? Int(last) : 0
        }
        guard dense else { return nil }
        return Scanned(records: records, streams: streams, maxStream: maxStream)
    }

    /// Reads the records of `range` with `cursor`, each into its slot; stops with `dense`
    /// false at the first position that is not the next one.
    fileprivate static func scanDense(_ cursor: LMDBCursor, range: ClosedRange<UInt64>, into slots: ScanSlots) throws -> (dense: Bool, maxStream: UInt64, scanned: Bool) {
        var maxStream: UInt64 = 0
        var expected = range.lowerBound
        var entry = try withUnsafeBytes(of: expected.bigEndian) { try cursor.seek(atOrAfter: $0) }
        while expected <= range.upperBound {
            guard let current = entry, Ledger.decodePosition(current.key) == expected else { return (false, maxStream, true) }
            let (record, stream) = try locate(expected, current.value)
            slots.records[Int(expected - 1)] = record
            slots.streams[Int(expected - 1)] = stream
            maxStream = max(maxStream, stream)
            expected += 1
            if expected <= range.upperBound { entry = try cursor.move(MDB_NEXT) }
        }
        return (true, maxStream, true)
    }

    /// Where a stored record lies and its stream, read at fixed offsets.
    private static func locate(_ position: UInt64, _ value: UnsafeRawBufferPointer) throws -> (StreamGroupedLog.Record, UInt64) {
        guard let (stream, _) = EventRecord.streamAndVersion(of: value), let bytes = value.baseAddress else {
            throw LedgerError(.corrupt, "the event at position \(position) cannot be decoded; run `ledger verify`")
        }
        return (StreamGroupedLog.Record(position: position, bytes: bytes, count: value.count), stream)
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

/// Where the two halves of a scan write: slot i is position i + 1.
///
/// `@unchecked Sendable`: the halves write disjoint slots, and the first reads the second's
/// only after `SecondHalfScan.waitForScan` (a semaphore orders the writes before the reads).
struct ScanSlots: @unchecked Sendable {
    let records: UnsafeMutablePointer<StreamGroupedLog.Record>
    let streams: UnsafeMutablePointer<UInt64>
}

/// The thread scanning the second half of the log, in its own read transaction, which it
/// keeps open until `finish`: the records it found point into that snapshot's pages.
///
/// `@unchecked Sendable`: `outcome` is written by the scanning thread before it signals
/// `scanned`, and read only after waiting for that signal.
final class SecondHalfScan: @unchecked Sendable {
    private let scanned = DispatchSemaphore(value: 0)
    private let release = DispatchSemaphore(value: 0)
    private let exited = DispatchSemaphore(value: 0)
    private var outcome: Result<(dense: Bool, maxStream: UInt64, scanned: Bool), any Error>?
    private var started = false

    func start(environment: LMDBEnvironment, table: MDB_dbi, range: ClosedRange<UInt64>, slots: ScanSlots) {
        started = true
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            defer { exited.signal() }
            do {
                let began = try environment.readIfFree { txn in
                    outcome = Result { try txn.withCursor(table) { try Ledger.scanDense($0, range: range, into: slots) } }
                    scanned.signal()
                    release.wait()
                }
                if began == nil {
                    // No second snapshot without waiting: the first thread scans this half too.
                    outcome = .success((dense: false, maxStream: 0, scanned: false))
                    scanned.signal()
                }
            } catch {
                // The transaction did not begin: the closure never ran.
                outcome = .failure(error)
                scanned.signal()
            }
        }
    }

    /// What the second half found, once it is scanned.
    /// What the second half found, once it is scanned; `scanned` false when it was not (no
    /// snapshot could begin without waiting).
    func waitForScan() throws -> (dense: Bool, maxStream: UInt64, scanned: Bool) {
        scanned.wait()
        guard let outcome else { return (false, 0, false) }
        return try outcome.get()
    }

    /// Ends the second transaction (after the grouped log is no longer used).
    func finish() {
        guard started else { return }
        release.signal()
        exited.wait()
    }
}
