import Dispatch
import LedgerDomain
import LedgerStore
import Synchronization

extension ContactProjection {
    /// Streams per unit of work: large enough that handing out work costs nothing, small
    /// enough that the writer starts early and the two cores finish together.
    static let rebuildChunkStreams = 8_192

    /// Rebuilds from the log grouped by stream (`Ledger.withStreamGroupedLog`).
    ///
    /// Workers, one per core, take runs of streams in order; each folds a contact from its
    /// first event to its last, encodes the state and drops it, so only one state per worker
    /// is alive, and gathers the contact's identifiers for the indexes. The caller's thread is
    /// the single writer: it appends each run's states to `contacts` as soon as the run is
    /// done (keys ascend, so MDB_APPEND), then merges the workers' sorted index entries into
    /// the index tables, also appended in key order.
    public func rebuild(from ledger: Ledger, into store: ProjectionStore, progress: (UInt64) -> Void) throws -> UInt64 {
        try ledger.withStreamGroupedLog { log in
            try Self.rebuild(log, into: store, workers: FoldedLog.defaultWorkers, progress: progress)
        }
    }

    static func rebuild(_ log: StreamGroupedLog, into store: ProjectionStore, workers: Int, progress: (UInt64) -> Void) throws -> UInt64 {
        let chunkCount = (log.streamCount + rebuildChunkStreams - 1) / rebuildChunkStreams
        let board = RebuildBoard(chunks: chunkCount, workers: max(1, workers))
        let group = DispatchGroup()
        for worker in 0..<board.workers {
            group.enter()
            DispatchQueue.global(qos: .userInitiated).async {
                defer { group.leave() }
                board.work(worker: worker, log: log)
            }
        }
        // Whatever the writer meets, the workers are stopped and joined before returning:
        // they read the log's snapshot, which ends with this call.
        defer {
            board.stop()
            group.wait()
        }
        let contacts = try store.table("contacts")
        let total = max(1, log.eventCount)
        // One transaction, one sync. A full map aborts it and runs this closure again: the
        // runs are kept until the end, so a second run writes them again from the first.
        try store.write { transaction in
            var definitions = [(UInt64, FieldDefined, StreamID)]()
            for chunk in 0..<chunkCount {
                let folded = try board.wait(for: chunk) {
                    progress(UInt64(Double(board.eventsFolded) / Double(total) * Double(log.last)))
                }
                try folded.writeStates(to: contacts, in: transaction)
                definitions += folded.definitions
            }
            group.wait()
            let parts = board.indexParts()
            for kind in IdentifierKind.allCases {
                try Self.writeIndex(parts.map { $0[kind] ?? FoldedLog.IndexEntries() }, to: try store.table(Self.indexTable(kind)), in: transaction)
            }
            for (_, definition, stream) in definitions.sorted(by: { $0.0 < $1.0 }) {
                try Self.define(definition, stream: stream, in: transaction, store: store)
            }
            try transaction.setCheckpoint(log.last)
        }
        // The index entries take a moment to free at millions of contacts: off the caller's path.
        let release = Unmanaged.passRetained(board)
        DispatchQueue.global(qos: .utility).async { release.release() }
        progress(log.last)
        return log.last
    }

    /// Appends the entries of sorted lists to an index table, merged: one key per identifier,
    /// its holders' streams end to end.
    static func writeIndex(_ lists: [FoldedLog.IndexEntries], to table: ProjectionStore.Table, in transaction: ProjectionTransaction) throws {
        var holders = [UInt8]()
        var pending: UnsafeRawBufferPointer?
        func flush(_ identifier: UnsafeRawBufferPointer) throws {
            try holders.withUnsafeBytes { try transaction.put(table, key: identifier, value: $0, append: true) }
            holders.removeAll(keepingCapacity: true)
        }
        // The lists outlive the walk, so the previous identifier's bytes stay valid.
        try FoldedLog.IndexEntries.forEachMerged(lists) { identifier, stream in
            if let current = pending, !FoldedLog.IndexEntries.same(current, identifier) { try flush(current) }
            pending = identifier
            withUnsafeBytes(of: stream.bigEndian) { holders.append(contentsOf: $0) }
        }
        if let current = pending { try flush(current) }
    }
}

/// One run of streams folded by a rebuild worker: the states encoded end to end, in stream
/// order, and the field definitions met on the way.
struct RebuiltChunk: Sendable {
    var writer = BinaryWriter(capacity: 0)
    /// Per state, its stream and where its bytes end in `bytes`.
    var states: [(stream: UInt64, end: Int)] = []
    var definitions: [(UInt64, FieldDefined, StreamID)] = []

    func writeStates(to table: ProjectionStore.Table, in transaction: ProjectionTransaction) throws {
        try writer.bytes.withUnsafeBytes { buffer in
            var start = 0
            for (stream, end) in states {
                try withUnsafeBytes(of: stream.bigEndian) { key in
                    try transaction.put(table, key: key, value: UnsafeRawBufferPointer(rebasing: buffer[start..<end]), append: true)
                }
                start = end
            }
        }
    }
}

/// What the rebuild's workers and its writer share: the next run to fold, each finished
/// run, each worker's index entries, and a stop flag.
final class RebuildBoard: Sendable {
    let chunks: Int
    let workers: Int
    private let next = Atomic<Int>(0)
    private let stopped = Atomic<Bool>(false)
    private let folded = Atomic<Int>(0)
    private let done: [DispatchSemaphore]
    private let results = Mutex<[Int: Result<RebuiltChunk, any Error>]>([:])
    private let index = Mutex<[Int: [IdentifierKind: FoldedLog.IndexEntries]]>([:])

    init(chunks: Int, workers: Int) {
        self.chunks = chunks
        self.workers = workers
        done = (0..<chunks).map { _ in DispatchSemaphore(value: 0) }
    }

    /// Events folded so far, for progress.
    var eventsFolded: Int { folded.load(ordering: .relaxed) }

    func stop() { stopped.store(true, ordering: .relaxed) }

    /// Takes runs in order until none is left (or the writer stopped), then sorts this
    /// worker's index entries. Runs are taken in ascending order, so every run before a
    /// failed one is finished by someone: the writer meets the failure in its turn.
    func work(worker: Int, log: StreamGroupedLog) {
        var entries = [FoldedLog.IndexEntries](repeating: FoldedLog.IndexEntries(), count: 3)
        while !stopped.load(ordering: .relaxed) {
            let chunk = next.wrappingAdd(1, ordering: .relaxed).oldValue
            guard chunk < chunks else { break }
            let outcome = Result { try fold(chunk, log: log, entries: &entries) }
            if case .failure = outcome { stop() }
            results.withLock { $0[chunk] = outcome }
            done[chunk].signal()
        }
        for kind in entries.indices { entries[kind].sort() }
        let sorted = Dictionary(uniqueKeysWithValues: [IdentifierKind.email, .phone, .externalId].enumerated().map { ($1, entries[$0]) })
        index.withLock { $0[worker] = sorted }
    }

    /// Folds run `chunk`; each contact's identifiers go to `entries` (e-mail, phone, external id).
    private func fold(_ chunk: Int, log: StreamGroupedLog, entries: inout [FoldedLog.IndexEntries]) throws -> RebuiltChunk {
        var out = RebuiltChunk()
        let first = chunk * ContactProjection.rebuildChunkStreams
        let end = min(first + ContactProjection.rebuildChunkStreams, log.streamCount)
        out.states.reserveCapacity(end - first)
        out.writer = BinaryWriter(capacity: (end - first) * 160)
        var events = 0
        for streamIndex in first..<end {
            var state: ContactState?
            try log.forEachEvent(ofStreamAt: streamIndex) { event, personal in
                guard let domain = try ContactProjection.decode(event, personal: personal) else { return }
                if case .fieldDefined(let definition) = domain {
                    out.definitions.append((event.position, definition, event.stream))
                    return
                }
                ContactState.fold(into: &state, domain, meta: EventMeta(event))
            }
            events += log.eventCount(ofStreamAt: streamIndex)
            guard let state else { continue }
            state.encode(into: &out.writer)
            out.states.append((state.id.rawValue, out.writer.bytes.count))
            if !state.erased && state.mergedInto == nil {
                for identifier in state.emails { entries[0].append(identifier, state.id) }
                for identifier in state.phones { entries[1].append(identifier, state.id) }
                for identifier in state.externalIds { entries[2].append(identifier, state.id) }
            }
        }
        folded.add(events, ordering: .relaxed)
        return out
    }

    /// The finished run `chunk`, waiting for it (calling `waiting` every half second); a
    /// worker's error is thrown here, in the run where it happened.
    func wait(for chunk: Int, waiting: () -> Void) throws -> RebuiltChunk {
        while true {
            if let outcome = results.withLock({ $0[chunk] }) { return try outcome.get() }
            if done[chunk].wait(timeout: .now() + .milliseconds(500)) == .timedOut { waiting() }
        }
    }

    /// Each worker's sorted index entries (after every worker has finished).
    func indexParts() -> [[IdentifierKind: FoldedLog.IndexEntries]] {
        index.withLock { parts in (0..<workers).compactMap { parts[$0] } }
    }
}
