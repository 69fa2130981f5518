import CLMDB
import Crypto
import LedgerDomain

/// What `Ledger.verify` found.
public struct VerificationReport: Sendable, Codable {
    /// One thing that is not as the ledger wrote it.
    public struct Fault: Sendable, Codable, Hashable {
        /// The log position concerned, when the fault has one.
        public let position: UInt64?
        /// A stable word for the kind of fault: `gap`, `order`, `hash`, `decode`,
        /// `stream-index`, `event-id-index`, `data-key`, `projection` (a projection's
        /// checkpoint or head hash that the log does not have).
        public let kind: String
        /// What is wrong, naming positions and streams only.
        public let message: String
    }

    /// How many events were checked.
    public var events: UInt64 = 0
    /// The last position in the log.
    public var lastPosition: UInt64 = 0
    /// The chain hash of the last event, hex.
    public var headHash: String = Hex.encode(EventRecord.genesisHash)
    /// Entries in the stream index.
    public var streamIndexEntries = 0
    /// Entries in the event-id index.
    public var eventIDIndexEntries = 0
    /// Data keys in the key table (each checked to unwrap under the key root).
    public var dataKeys = 0
    /// The faults found, in log order, at most `Ledger.maxReportedFaults`.
    public var faults: [Fault] = []

    /// Whether the ledger is intact.
    public var isValid: Bool { faults.isEmpty }
    /// The first position at which something is wrong.
    public var firstBadPosition: UInt64? { faults.compactMap(\.position).min() }
}

extension Ledger {
    /// The most faults one verification lists; the first is what matters.
    public static let maxReportedFaults = 100

    /// Walks the hash chain and both indexes in one snapshot and reports every fault found.
    ///
    /// Checks: positions run 1, 2, 3… without gaps; each record decodes; each stored chain
    /// hash equals SHA-256(previous hash ‖ body); each event's stream entry and id entry
    /// point back at it; the indexes hold no entry beyond those; and every stored data key
    /// belongs to a stream of the log and unwraps under the key root.
    public func verify(progress: ((UInt64) -> Void)? = nil) throws -> VerificationReport {
        try storage("verify the ledger") {
            try environment.read { txn in
                var report = VerificationReport()
                func fault(_ position: UInt64?, _ kind: String, _ message: String) {
                    if report.faults.count < Self.maxReportedFaults {
                        report.faults.append(.init(position: position, kind: kind, message: message))
                    }
                }
                var previousHash = EventRecord.genesisHash
                var expected: UInt64 = 1
                // Events up to here have entries in the streams table; later ones must not.
                let indexedThrough = try StreamTail.indexedThrough(txn: txn, tables: tables)
                var indexedEvents = 0
                var lastStream: UInt64 = 0
                try txn.withCursor(tables.log) { cursor in
                    var entry = try cursor.move(MDB_FIRST)
                    while let current = entry {
                        defer { expected += 1 }
                        entry = try cursor.move(MDB_NEXT)
                        guard let position = Ledger.decodePosition(current.key) else {
                            fault(expected, "gap", "a log key after position \(expected - 1) is not an 8-byte position")
                            continue
                        }
                        guard position >= expected else {
                            // A B-tree walk only ascends; a damaged branch page can lead back
                            // into pages already walked, forever. Nothing after it is trusted.
                            fault(expected, "order", "the log's tree gives position \(position) after position \(expected - 1): its pages are damaged, and the walk stops here")
                            break
                        }
                        if position != expected {
                            fault(expected, "gap", "position \(expected) is missing; the next stored position is \(position)")
                            expected = position
                        }
                        report.events += 1
                        report.lastPosition = position
                        if let progress, position % 100_000 == 0 { progress(position) }
                        guard current.value.count > EventRecord.hashLength else {
                            fault(position, "decode", "the record at position \(position) is shorter than its hash")
                            continue
                        }
                        let bodyCount = current.value.count - EventRecord.hashLength
                        let stored = Array(current.value[bodyCount...])
                        var hasher = SHA256()
                        hasher.update(data: previousHash)
                        hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: current.value[..<bodyCount]))
                        if Array(hasher.finalize()) != stored {
                            fault(position, "hash", "the chain hash of position \(position) does not match its bytes: the event was altered")
                        }
                        previousHash = stored
                        let event: RecordedEvent
                        do {
                            event = try RecordedEvent(position: position, record: current.value)
                            try event.validateText()
                        } catch {
                            fault(position, "decode", "the record at position \(position) is malformed: \(error)")
                            continue
                        }
                        lastStream = max(lastStream, event.stream.rawValue)
                        let streamEntry = try withUnsafeBytes(of: (event.stream.rawValue.bigEndian, event.version.bigEndian)) {
                            try txn.get(tables.streams, key: $0).flatMap(Ledger.decodePosition)
                        }
                        if position <= indexedThrough {
                            indexedEvents += 1
                            if streamEntry != position {
                                fault(position, "stream-index", "stream \(event.stream) version \(event.version) should point at position \(position), but points at \(streamEntry.map(String.init) ?? "nothing")")
                            }
                        } else if let streamEntry {
                            fault(position, "stream-index", "stream \(event.stream) version \(event.version) is past the indexed part of the log (\(indexedThrough)), yet the index points it at \(streamEntry)")
                        }
                        let idEntry = try withUnsafeBytes(of: (event.id.high.bigEndian, event.id.low.bigEndian)) {
                            try txn.get(tables.eventIDs, key: $0).flatMap(Ledger.decodePosition)
                        }
                        if idEntry != position {
                            fault(position, "event-id-index", "event id \(event.id) should point at position \(position), but points at \(idEntry.map(String.init) ?? "nothing")")
                        }
                    }
                }
                report.headHash = Hex.encode(previousHash)
                report.streamIndexEntries = try txn.count(tables.streams)
                report.eventIDIndexEntries = try txn.count(tables.eventIDs)
                if indexedThrough > report.lastPosition {
                    fault(nil, "stream-index", "the stream index claims to cover position \(indexedThrough), past the end of the log (\(report.lastPosition))")
                }
                if report.streamIndexEntries != indexedEvents {
                    try findStrayEntries(txn: txn, table: tables.streams, kind: "stream-index", fault: fault)
                }
                if report.eventIDIndexEntries != Int(report.events) {
                    try findStrayEntries(txn: txn, table: tables.eventIDs, kind: "event-id-index", fault: fault)
                }
                try txn.withCursor(tables.keys) { cursor in
                    var entry = try cursor.move(MDB_FIRST)
                    var previous: UInt64 = 0
                    while let current = entry {
                        entry = try cursor.move(MDB_NEXT)
                        if let stream = Ledger.decodePosition(current.key) {
                            guard stream > previous else {
                                fault(nil, "data-key", "the key table gives stream \(stream) after stream \(previous): its pages are damaged, and the walk stops here")
                                break
                            }
                            previous = stream
                        }
                        report.dataKeys += 1
                        guard let stream = Ledger.decodePosition(current.key), stream >= 1, stream <= lastStream else {
                            fault(nil, "data-key", "the key table holds a key for a stream the log does not have")
                            continue
                        }
                        do {
                            _ = try vault.unwrap(current.value, stream: stream)
                        } catch {
                            fault(nil, "data-key", "the data key of stream \(stream) does not unwrap: \(error)")
                        }
                    }
                }
                return report
            }
        }
    }

    /// Reports index entries that point at no event, or at an event that is not theirs.
    private func findStrayEntries(
        txn: LMDBTransaction,
        table: MDB_dbi,
        kind: String,
        fault: (UInt64?, String, String) -> Void
    ) throws {
        var strays = 0
        try txn.withCursor(table) { cursor in
            var entry = try cursor.move(MDB_FIRST)
            var previous: [UInt8]?
            while let current = entry {
                entry = try cursor.move(MDB_NEXT)
                if let previous, !previous.lexicographicallyPrecedes(current.key) {
                    strays += 1
                    fault(nil, kind, "the \(kind) gives its keys out of order: its pages are damaged, and the walk stops here")
                    break
                }
                previous = Array(current.key)
                guard let position = Ledger.decodePosition(current.value) else {
                    strays += 1
                    fault(nil, kind, "an entry of the \(kind) holds no position")
                    continue
                }
                let record = try withUnsafeBytes(of: position.bigEndian) { try txn.get(tables.log, key: $0) }
                let event = record.flatMap { try? RecordedEvent(position: position, record: $0) }
                let matches: Bool
                if let event, current.key.count == 16 {
                    let first = UInt64(bigEndian: current.key.loadUnaligned(as: UInt64.self))
                    let second = UInt64(bigEndian: current.key.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
                    matches = table == tables.streams
                        ? (first == event.stream.rawValue && second == event.version)
                        : (first == event.id.high && second == event.id.low)
                } else {
                    matches = false
                }
                if !matches {
                    strays += 1
                    fault(position, kind, "the \(kind) holds an entry for position \(position) that does not belong to the event there")
                }
            }
        }
        if strays == 0 {
            fault(nil, kind, "the \(kind) entry count differs from the event count")
        }
    }
}
