import LedgerDomain
import LedgerStore

extension ContactProjection {
    /// Rebuilds from the log grouped by stream (`Ledger.withStreamGroupedLog`).
    ///
    /// Workers, one per core, fold runs of streams (`StreamFold`): each contact from its first
    /// event to its last, encoded into its run's buffer and dropped, so only one state per
    /// worker is alive. The caller's thread is the single writer: it appends each run's states
    /// to `contacts` as soon as the run is done (keys ascend, so MDB_APPEND), then merges the
    /// workers' sorted index entries into the index tables, also appended in key order.
    ///
    /// When the log holds an event that wakes a downstream projector (a segment's rule), only
    /// the log before the first such event is folded this way (the projectors are dormant
    /// there, as in the incremental fold); from it on, the rebuild is the plain one, every
    /// event folded in order with the feed, which those projectors need at each position.
    /// A ledger whose contacts were imported before its first rule is mostly folded in
    /// parallel; what follows the rule is folded as a follower would.
    public func rebuild(from ledger: Ledger, into store: ProjectionStore, progress: (UInt64) -> Void) throws -> UInt64 {
        let waking = try downstream.compactMap { try $0.wakingPosition(in: ledger) }.min()
        guard let waking else {
            return try ledger.withStreamGroupedLog { log in
                try Self.rebuild(log, into: store, runsPerCommit: runsPerCommit, progress: progress)
            }
        }
        var done: UInt64 = 0
        if waking > 1 {
            done = try ledger.withStreamGroupedLog(through: waking - 1) { log in
                try Self.rebuild(log, into: store, runsPerCommit: runsPerCommit, progress: progress)
            }
        }
        return try ContactProjection(ledger: ledger, downstream: downstream).rebuild(from: ledger, after: done, through: .max, into: store, progress: progress)
    }

    /// Runs of folded states a rebuild commits at a time: about 40 MB of states (a run holds
    /// `StreamFold.runStreams` contacts of some 160 bytes each), well inside LMDB's dirty list.
    static let defaultRunsPerCommit = 32

    static func rebuild(_ log: StreamGroupedLog, into store: ProjectionStore, runsPerCommit: Int, progress: (UInt64) -> Void) throws -> UInt64 {
        let fold = StreamFold<EncodedStates>(log, make: EncodedStates.init(streams:)) { $0.append($1) }
        // Whatever the writer meets, the workers are stopped and joined before returning.
        defer { fold.stop() }
        let tables = try ContactTables(store)
        let total = max(1, log.eventCount)
        // The states go in as the runs come, `runsPerCommit` runs a transaction, then one
        // transaction writes the indexes, definitions and checkpoint. Nobody reads the
        // generation before it is published, so the states' commits need no checkpoint. Small
        // commits write while the workers still fold, instead of one commit of every state
        // after the last run; LMDB reuses a commit's page buffers for the next transaction
        // (fresh memory costs the kernel a page fault and a zeroed page each); and no
        // transaction dirties more pages than LMDB's dirty list holds, which would spill them
        // to disk in the middle. A full map aborts a transaction and runs its closure again:
        // a commit's runs are kept until it is done, then dropped.
        var definitions = [(position: UInt64, definition: FieldDefined, stream: StreamID)]()
        var first = 0
        while first < fold.runs {
            let end = min(first + max(1, runsPerCommit), fold.runs)
            var committed = [(position: UInt64, definition: FieldDefined, stream: StreamID)]()
            try store.write { transaction in
                committed.removeAll()
                for run in first..<end {
                    let folded = try fold.run(run) {
                        progress(UInt64(Double(fold.eventsFolded) / Double(total) * Double(log.last)))
                    }
                    try folded.output.write(to: tables.contacts, in: transaction)
                    committed += folded.definitions
                }
            }
            for run in first..<end { _ = try fold.run(run, take: true) }
            definitions += committed
            first = end
        }
        let parts = fold.indexParts()
        try store.write { transaction in
            for index in tables.indexes {
                try index.appendMerged(parts.map { $0[index.kind.slot] }, in: transaction)
            }
            for entry in definitions.sorted(by: { $0.position < $1.position }) {
                try tables.define(entry.definition, stream: entry.stream, in: transaction)
            }
            try transaction.setCheckpoint(log.last, headHash: log.headHash)
        }
        progress(log.last)
        return log.last
    }
}

/// One run's contact states, encoded end to end in stream order.
struct EncodedStates: Sendable {
    var writer: BinaryWriter
    /// Per state, its stream and where its bytes end.
    var ends: [(stream: UInt64, end: Int)] = []

    init(streams: Int) {
        writer = BinaryWriter(capacity: streams * 160)
        ends.reserveCapacity(streams)
    }

    mutating func append(_ state: ContactState) {
        state.encode(into: &writer)
        ends.append((state.id.rawValue, writer.bytes.count))
    }

    func write(to table: ProjectionStore.Table, in transaction: ProjectionTransaction) throws {
        try transaction.withAppender(table) { appender in
            try writer.bytes.withUnsafeBytes { buffer in
                var start = 0
                for (stream, end) in ends {
                    try withUnsafeBytes(of: stream.bigEndian) { key in
                        try appender.append(key: key, value: UnsafeRawBufferPointer(rebasing: buffer[start..<end]))
                    }
                    start = end
                }
            }
        }
    }
}
