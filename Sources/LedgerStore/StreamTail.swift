import CLMDB
import LedgerDomain
import Synchronization

/// The newest part of the stream index, kept in memory and merged into the `streams` table in
/// large sorted batches.
///
/// Updates to existing streams land on random leaves of the stream index, and LMDB copies and
/// writes a whole page for each leaf a transaction touches: a thousand updates cost about a
/// thousand pages. So index entries for events after `indexed-through` (a position kept in
/// `meta`) are not written per commit; they are derived from the log itself — every process
/// keeps them here, absorbing new log entries as it sees them — and merged into the table once
/// `threshold` have gathered, when one transaction writes them in key order and touches each
/// leaf once. The log stays the only truth: losing this cache loses nothing.
final class StreamTail: Sendable {
    /// One index entry: `stream` has `version` at `position`.
    struct Entry: Sendable {
        let stream: UInt64
        let version: UInt64
        let position: UInt64
    }

    /// What one snapshot (transaction) of the store says about the index's split.
    struct Bounds: Sendable {
        /// Events up to here are in the `streams` table.
        let indexedThrough: UInt64
        /// The last position of the log.
        let lastPosition: UInt64
    }

    private struct State {
        var base: UInt64 = 0
        var lastSeen: UInt64 = 0
        /// Every entry, in position order.
        var entries: [Entry] = []
        /// Entries by stream, built lazily for `entries[..<indexed]`: a bulk import of new
        /// contacts never looks a stream up, so it should not pay for a dictionary insert per
        /// event on the writer thread.
        var streams: [UInt64: [Entry]] = [:]
        var indexed = 0
        /// The highest stream number seen, per category (by its code).
        var maxStreams = [UInt64](repeating: 0, count: 32)

        mutating func drop(through position: UInt64) {
            var low = 0
            var high = entries.count
            while low < high {
                let middle = (low + high) / 2
                if entries[middle].position <= position { low = middle + 1 } else { high = middle }
            }
            entries.removeFirst(low)
            streams.removeAll(keepingCapacity: true)
            indexed = 0
            base = position
            lastSeen = max(lastSeen, position)
        }

        mutating func catchUpIndex() {
            while indexed < entries.count {
                let entry = entries[indexed]
                streams[entry.stream, default: []].append(entry)
                indexed += 1
            }
        }
    }

    /// How many entries gather before the writer merges them into the table.
    let threshold: Int
    private let state = Mutex(State())

    init(threshold: Int) {
        self.threshold = max(threshold, 1)
    }

    static let indexedThroughKey = Array("streams.indexed-through".utf8)

    /// Reads the split of the snapshot `txn` and absorbs log entries this process has not seen.
    func refresh(txn: LMDBTransaction, tables: Ledger.Tables) throws -> Bounds {
        let indexedThrough = try Self.indexedThrough(txn: txn, tables: tables)
        let last = try txn.withCursor(tables.log) { try $0.move(MDB_LAST).flatMap { Ledger.decodePosition($0.key) } } ?? 0
        try state.withLock { state in
            if indexedThrough > state.base {
                // Another transaction merged the tail into the table.
                state.drop(through: indexedThrough)
            }
            guard last > state.lastSeen, indexedThrough <= state.base else { return }
            // Events appended by another process (or not yet absorbed): read them from the log.
            try txn.withCursor(tables.log) { cursor in
                var entry = try withUnsafeBytes(of: (state.lastSeen + 1).bigEndian) { try cursor.seek(atOrAfter: $0) }
                while let current = entry, let position = Ledger.decodePosition(current.key), position <= last {
                    guard let (stream, version) = EventRecord.streamAndVersion(of: current.value) else {
                        throw LedgerError(.corrupt, "the record at position \(position) is malformed; run `ledger verify`")
                    }
                    Self.add(Entry(stream: stream, version: version, position: position), to: &state)
                    entry = try cursor.move(MDB_NEXT)
                }
            }
            state.lastSeen = last
        }
        return Bounds(indexedThrough: indexedThrough, lastPosition: last)
    }

    private static func add(_ entry: Entry, to state: inout State) {
        guard entry.position > state.lastSeen else { return }
        state.entries.append(entry)
        let category = Int(truncatingIfNeeded: entry.stream >> StreamID.categoryShift)
        if category < state.maxStreams.count { state.maxStreams[category] = max(state.maxStreams[category], entry.stream) }
        state.lastSeen = entry.position
    }

    /// Records the entries a committed transaction wrote, and a merge it made.
    func committed(_ entries: [Entry], mergedThrough: UInt64?) {
        state.withLock { state in
            if let mergedThrough, mergedThrough > state.base {
                state.drop(through: mergedThrough)
            }
            for entry in entries { Self.add(entry, to: &state) }
        }
    }

    /// Whether the tail holds everything a snapshot with `bounds` needs beyond the table.
    func covers(_ bounds: Bounds) -> Bool {
        state.withLock { $0.base <= bounds.indexedThrough && $0.lastSeen >= bounds.lastPosition }
    }

    /// The position up to which the tail's entries start (everything ≤ it is in the table).
    var base: UInt64 { state.withLock { $0.base } }

    /// The tail's entries of `stream` within `bounds`, in version order.
    func entries(of stream: UInt64, within bounds: Bounds) -> [Entry] {
        state.withLock { state in
            state.catchUpIndex()
            return (state.streams[stream] ?? []).filter { $0.position > bounds.indexedThrough && $0.position <= bounds.lastPosition }
        }
    }

    /// The highest stream number of `category` in the tail; the category's base when none.
    func maxStream(in category: StreamCategory) -> UInt64 {
        state.withLock { max($0.maxStreams[Int(category.rawValue)], category.base) }
    }

    /// How many entries wait to be merged.
    var count: Int { state.withLock { $0.entries.count } }

    /// Every entry, sorted by stream and version, for a merge.
    func sortedEntries(through last: UInt64) -> [Entry] {
        state.withLock { state in
            state.entries.filter { $0.position <= last }.sorted { ($0.stream, $0.version) < ($1.stream, $1.version) }
        }
    }

    /// The `indexed-through` position of the snapshot `txn`.
    static func indexedThrough(txn: LMDBTransaction, tables: Ledger.Tables) throws -> UInt64 {
        try indexedThroughKey.withUnsafeBytes { key in
            try txn.get(tables.meta, key: key).flatMap(Ledger.decodePosition)
        } ?? 0
    }

    /// Writes the `indexed-through` position.
    static func setIndexedThrough(_ position: UInt64, txn: LMDBTransaction, tables: Ledger.Tables) throws {
        try indexedThroughKey.withUnsafeBytes { key in
            try withUnsafeBytes(of: position.bigEndian) { value in
                _ = try txn.put(tables.meta, key: key, value: value)
            }
        }
    }
}
