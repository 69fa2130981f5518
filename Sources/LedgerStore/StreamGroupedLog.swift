import CPrefetch
import LedgerDomain

/// One snapshot of the log, through a position, grouped by stream: each stream's events in log
/// order, streams ascending, and each stream's wrapped data key.
///
/// Made by `Ledger.withStreamGroupedLog` for whole-log folds (a projection rebuild): a stream's
/// state can be folded from start to end, written and forgotten, so a fold of millions of
/// contacts keeps one state at a time instead of all of them, and several threads can fold
/// disjoint runs of streams at once.
///
/// `@unchecked Sendable`: it holds pointers into the LMDB map, which stay valid and unchanged
/// while the read transaction that found them is open, and that transaction outlives every use
/// (the value is only lent inside `withStreamGroupedLog`). Nothing here is ever written.
public struct StreamGroupedLog: @unchecked Sendable {
    /// Where one stored record lies in the map.
    struct Record {
        var position: UInt64
        var bytes: UnsafeRawPointer
        var count: Int
    }

    /// One stream's run of `order`, and its wrapped data key when it has one.
    struct Group {
        var stream: UInt64
        var start: Int
        var count: Int
        var wrappedKey: UnsafeRawPointer?
        var wrappedKeyCount: Int
    }

    /// Every record through `last`, in log order.
    let records: [Record]
    /// Indexes into `records`, grouped by stream (ascending), in log order within a stream.
    let order: [UInt32]
    /// The streams, ascending.
    let groups: [Group]
    let vault: KeyVault

    /// The last position in the snapshot (0 for an empty log).
    public let last: UInt64

    /// The chain hash of the record at `last` (`EventRecord.genesisHash` for an empty log),
    /// kept beside a rebuilt projection's checkpoint.
    public var headHash: [UInt8] {
        guard let record = records.last, record.position == last, record.count >= EventRecord.hashLength else { return EventRecord.genesisHash }
        return Array(UnsafeRawBufferPointer(start: record.bytes + (record.count - EventRecord.hashLength), count: EventRecord.hashLength))
    }

    /// How many events the snapshot holds.
    public var eventCount: Int { records.count }
    /// How many streams have events.
    public var streamCount: Int { groups.count }

    /// The stream at `index` (0 ..< `streamCount`, ascending order).
    public func stream(at index: Int) -> StreamID {
        StreamID(groups[index].stream)
    }

    /// How many events the stream at `index` has.
    public func eventCount(ofStreamAt index: Int) -> Int {
        groups[index].count
    }

    /// Cache lines of a record asked for ahead, at most: a contact's events are a few hundred
    /// bytes each; a larger record's tail is read when it comes.
    static let prefetchedLines = 16

    /// Asks the CPU for what folding the stream at `index` will read first, without waiting for
    /// it: its stored records and its wrapped key, scattered across the log's map, and where the
    /// next stream's records lie (the call for that stream reads those places). A fold calls it
    /// for the next stream before it folds the current one, so the reads overlap the work in
    /// between instead of stalling on each record in turn (decision 0027).
    public func prefetch(streamAt index: Int) {
        guard index >= 0, index < groups.count else { return }
        let group = groups[index]
        for slot in group.start..<(group.start + group.count) {
            let record = records[Int(order[slot])]
            guard record.count > 0 else { continue }
            let first = UInt(bitPattern: record.bytes) & ~63
            let last = UInt(bitPattern: record.bytes + (record.count - 1)) & ~63
            var line = first
            while line <= last, line - first < UInt(Self.prefetchedLines * 64) {
                ledger_prefetch(UnsafeRawPointer(bitPattern: line))
                line += 64
            }
        }
        if let key = group.wrappedKey { ledger_prefetch(key) }
        let following = index + 1
        guard following < groups.count else { return }
        let next = groups[following]
        records.withUnsafeBufferPointer { entries in
            guard let base = entries.baseAddress else { return }
            for slot in next.start..<(next.start + next.count) {
                ledger_prefetch(base + Int(order[slot]))
            }
        }
    }

    /// What one reading thread reuses from stream to stream: a cipher context keyed anew for
    /// each stream's key, and the buffers each event is copied and opened into (one per
    /// thread; never shared).
    public final class Reader {
        let opener = AESGCMOpener()
        /// The record and plain personal data of the event being read, reused from event to
        /// event (`RecordedEvent(position:record:reusing:)`): two allocations fewer per event.
        var record = [UInt8]()
        var personal = [UInt8]()

        /// A reader for the calling thread.
        public init() {}
    }

    /// Calls `body` with each event of the stream at `index`, in log order, and its personal
    /// data in plain form: unsealed with the stream's key (unwrapped once, only if an event is
    /// sealed), as stored when it was never sealed, nil once the key is destroyed.
    public func forEachEvent(ofStreamAt index: Int, reader: Reader, _ body: (RecordedEvent, [UInt8]?) throws -> Void) throws {
        let group = groups[index]
        var key: DataKey??
        // With the reader's context: whether it holds this stream's key yet, and whether the
        // stream has one (none once erased).
        var keyed = false
        var hasKey = false
        // Taken from the reader for the stream and handed back after: each event's copies
        // reuse them once the event before is dropped.
        var recordBuffer = reader.record
        var personalBuffer = reader.personal
        reader.record = []
        reader.personal = []
        defer {
            reader.record = recordBuffer
            reader.personal = personalBuffer
        }
        for slot in group.start..<(group.start + group.count) {
            let record = records[Int(order[slot])]
            let event: RecordedEvent
            do {
                event = try RecordedEvent(position: record.position, record: UnsafeRawBufferPointer(start: record.bytes, count: record.count), reusing: &recordBuffer)
            } catch {
                throw LedgerError(.corrupt, "the event at position \(record.position) cannot be decoded (\(error)); run `ledger verify`")
            }
            guard event.personalDataSealed else {
                try body(event, Array(event.personalData))
                continue
            }
            guard let opener = reader.opener else {
                // No reusable context: a key of its own, as any reader uses.
                if key == nil {
                    key = .some(try group.wrappedKey.map { blob in
                        try vault.unwrap(UnsafeRawBufferPointer(start: blob, count: group.wrappedKeyCount), stream: group.stream)
                    })
                }
                try body(event, try (key ?? nil).map { try $0.open(event.personalData, for: event.id) })
                continue
            }
            if !keyed {
                keyed = true
                if let blob = group.wrappedKey {
                    try vault.unwrap(UnsafeRawBufferPointer(start: blob, count: group.wrappedKeyCount), stream: group.stream, into: opener)
                    hasKey = true
                }
            }
            guard hasKey else {
                try body(event, nil)
                continue
            }
            try DataKey.open(event.personalData, for: event.id, with: opener, into: &personalBuffer)
            try body(event, personalBuffer)
        }
    }

    /// The same with a reader of its own (tests, single streams).
    public func forEachEvent(ofStreamAt index: Int, _ body: (RecordedEvent, [UInt8]?) throws -> Void) throws {
        try forEachEvent(ofStreamAt: index, reader: Reader(), body)
    }
}

extension StreamGroupedLog {
    /// Groups `records` by stream (`streams[i]` is the stream of `records[i]`), keeping log
    /// order within each stream: a counting sort when stream numbers are dense (the ledger
    /// hands them out from 1 up), a comparison sort otherwise.
    static func grouping(_ streams: [UInt64], maxStream: UInt64) -> (order: [UInt32], groups: [Group]) {
        if maxStream >= StreamCategory.contact.limit {
            return groupingAcrossCategories(streams)
        }
        let count = streams.count
        var order = [UInt32](repeating: 0, count: count)
        var groups = [Group]()
        if maxStream < UInt64(count) * 4 + 65_536 {
            // Counting sort: per stream, how many events; then where its run starts.
            var starts = [Int](repeating: 0, count: Int(maxStream) + 2)
            for stream in streams { starts[Int(stream) + 1] += 1 }
            var streamTotal = 0
            for stream in 0...Int(maxStream) where starts[stream + 1] > 0 { streamTotal += 1 }
            groups.reserveCapacity(streamTotal)
            var running = 0
            for stream in 0...Int(maxStream) {
                let events = starts[stream + 1]
                starts[stream + 1] = running
                if events > 0 {
                    groups.append(Group(stream: UInt64(stream), start: running, count: events, wrappedKey: nil, wrappedKeyCount: 0))
                }
                running += events
            }
            for (index, stream) in streams.enumerated() {
                let slot = starts[Int(stream) + 1]
                order[slot] = UInt32(index)
                starts[Int(stream) + 1] = slot + 1
            }
        } else {
            for index in 0..<count { order[index] = UInt32(index) }
            order.sort { streams[Int($0)] != streams[Int($1)] ? streams[Int($0)] < streams[Int($1)] : $0 < $1 }
            var start = 0
            while start < count {
                let stream = streams[Int(order[start])]
                var end = start + 1
                while end < count && streams[Int(order[end])] == stream { end += 1 }
                groups.append(Group(stream: stream, start: start, count: end - start, wrappedKey: nil, wrappedKeyCount: 0))
                start = end
            }
        }
        return (order, groups)
    }

    /// Groups a log that holds streams of other categories than contacts: those sit far above
    /// the contacts' dense numbers (`StreamCategory`) and are few, so the contacts are grouped
    /// by the counting sort and the others, after them, by a comparison sort.
    static func groupingAcrossCategories(_ streams: [UInt64]) -> (order: [UInt32], groups: [Group]) {
        let limit = StreamCategory.contact.limit
        var contactIndices = [UInt32]()
        var otherIndices = [UInt32]()
        contactIndices.reserveCapacity(streams.count)
        var contactStreams = [UInt64]()
        contactStreams.reserveCapacity(streams.count)
        var maxContact: UInt64 = 0
        for (index, stream) in streams.enumerated() {
            if stream < limit {
                contactIndices.append(UInt32(index))
                contactStreams.append(stream)
                maxContact = max(maxContact, stream)
            } else {
                otherIndices.append(UInt32(index))
            }
        }
        // The contacts' grouping works on their own slice; its order is mapped back to log indices.
        var (order, groups) = grouping(contactStreams, maxStream: maxContact)
        for slot in order.indices { order[slot] = contactIndices[Int(order[slot])] }
        otherIndices.sort { streams[Int($0)] != streams[Int($1)] ? streams[Int($0)] < streams[Int($1)] : $0 < $1 }
        var start = 0
        while start < otherIndices.count {
            let stream = streams[Int(otherIndices[start])]
            var end = start + 1
            while end < otherIndices.count && streams[Int(otherIndices[end])] == stream { end += 1 }
            groups.append(Group(stream: stream, start: order.count + start, count: end - start, wrappedKey: nil, wrappedKeyCount: 0))
            start = end
        }
        order.append(contentsOf: otherIndices)
        return (order, groups)
    }
}
