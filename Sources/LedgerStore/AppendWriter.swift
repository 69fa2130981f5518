import CLMDB
import Crypto
import LedgerDomain

/// The write path of the ledger: checks, indexes, hashes and stores appended events.
///
/// It runs only on the writer thread, inside one LMDB write transaction per group of jobs.
struct AppendWriter: Sendable {
    let environment: LMDBEnvironment
    let tables: Ledger.Tables
    let clock: @Sendable () -> Int64
    let signal: AppendSignal
    let tail: StreamTail
    let vault: KeyVault
    let turns: WriteTurns

    /// Writes every job in one transaction and tells each its outcome; returns the jobs that
    /// queued up meanwhile, being prepared while this transaction commits.
    ///
    /// Jobs that queued while the transaction waited for LMDB's write lock (another process
    /// held it: an import's batch) join it as soon as it has the lock, instead of waiting for
    /// the lock a second time after it (decision 0020, addendum on pipelined commits).
    ///
    /// A job is atomic. A lone job that fails aborts the transaction. When several share it,
    /// a failed job's writes are deleted again before the next job starts (LMDB's nested
    /// transactions would do the same, but each costs a 2 MB dirty-list allocation).
    func commit(_ jobs: [GroupCommitter.Job], prepared: PreparedGroup?, takeQueued: () -> [GroupCommitter.Job], counted: (_ jobs: Int) -> Void = { _ in }) -> PreparedGroup? {
        var jobs = jobs
        // The body runs again when the map is grown: the jobs that joined stay joined.
        var joined = false
        var outcomes: [Result<[AppendResult], any Error>]
        var written = [StreamTail.Entry]()
        var mergedThrough: UInt64?
        var upcoming: PreparedGroup?
        do {
            outcomes = try writeTakingTurns { txn in
                if !joined {
                    joined = true
                    jobs += takeQueued()
                }
                var context = try AppendContext(txn: txn, tables: tables, tail: tail, recordedAt: clock())
                mergedThrough = try mergeTailIfDue(txn: txn, index: context.index)
                var outcomes: [Result<[AppendResult], any Error>]
                if let prepared, let done = try appendPrepared(prepared, txn: txn, context: &context) {
                    outcomes = done
                    if jobs.count > prepared.jobs.count {
                        outcomes += try appendEach(Array(jobs[prepared.jobs.count...]), txn: txn, context: &context, shared: true)
                    }
                } else {
                    outcomes = try appendEach(jobs, txn: txn, context: &context)
                }
                if context.claimsWritten > 0 {
                    try IdentityClaims.prune(lastPosition: context.lastPosition, txn: txn, table: tables.claims)
                }
                // Progress marks of the jobs that succeeded, in the same transaction.
                for (job, outcome) in zip(jobs, outcomes) {
                    guard case .success = outcome, let mark = job.batch.progress else { continue }
                    try Array(mark.key.utf8).withUnsafeBytes { key in
                        try withUnsafeBytes(of: mark.value.bigEndian) { value in
                            _ = try txn.put(tables.progress, key: key, value: value)
                        }
                    }
                }
                written = context.written
                if upcoming == nil {
                    // Whatever queued up meanwhile is prepared while this transaction commits.
                    let queued = takeQueued()
                    if !queued.isEmpty {
                        upcoming = PreparedGroup.isPredictable(queued)
                            ? PreparedGroup(
                                jobs: queued,
                                prediction: .init(lastPosition: context.lastPosition, chainHash: context.scratch.chainHash, nextStream: try context.peekNextStream()),
                                recordedAt: clock())
                            : PreparedGroup(unprepared: queued)
                    }
                }
                return outcomes
            }
            tail.committed(written, mergedThrough: mergedThrough)
        } catch {
            let failure = error is LedgerError ? error : LedgerError(.storage, "append failed", cause: error as? LMDBError)
            outcomes = Array(repeating: .failure(failure), count: jobs.count)
        }
        counted(jobs.count)
        for (job, outcome) in zip(jobs, outcomes) {
            job.complete(outcome)
        }
        signal.notify()
        return upcoming
    }

    /// `environment.write`, with the turns of this process's role (`WriteTurns`): an announcing
    /// writer marks its wait for the lock; a yielding one that finds a waiter marked when it gets
    /// the lock aborts before writing anything, lets the waiter in, and begins again, once.
    private func writeTakingTurns<Result>(_ body: (LMDBTransaction) throws -> Result) throws -> Result {
        var yielded = false
        while true {
            turns.announce()
            defer { turns.endAnnouncement() }
            do {
                return try environment.write { txn in
                    turns.endAnnouncement()
                    if !yielded, turns.waiterAnnounced() { throw WriteTurns.Yielded() }
                    return try body(txn)
                }
            } catch is WriteTurns.Yielded {
                yielded = true
                turns.letWaiterIn()
            }
        }
    }

    /// Appends each job in turn; with `shared` (jobs after a prepared group's) or several
    /// jobs, a failed job is undone alone.
    private func appendEach(_ jobs: [GroupCommitter.Job], txn: LMDBTransaction, context: inout AppendContext, shared: Bool = false) throws -> [Result<[AppendResult], any Error>] {
        var outcomes = [Result<[AppendResult], any Error>]()
        outcomes.reserveCapacity(jobs.count)
        for job in jobs {
            let savepoint = context.savepoint
            do {
                outcomes.append(.success(try append(job.batch, txn: txn, context: &context)))
            } catch let error as LedgerError where shared || jobs.count > 1 {
                try undo(to: savepoint, txn: txn, context: &context)
                outcomes.append(.failure(error))
            }
        }
        return outcomes
    }

    /// Stores records prepared ahead, when the prediction they were built from holds; nil
    /// (with nothing written) when it does not, so the caller takes the ordinary path.
    private func appendPrepared(_ group: PreparedGroup, txn: LMDBTransaction, context: inout AppendContext) throws -> [Result<[AppendResult], any Error>]? {
        guard let prediction = group.prediction, let records = group.preparedRecords(),
              context.lastPosition == prediction.lastPosition,
              context.scratch.chainHash == prediction.chainHash,
              // Records timed before the log's last event (the clock went back) are made again.
              records.recordedAt >= context.lastRecordedAt,
              try context.peekNextStream() == prediction.nextStream else { return nil }
        let first = prediction.lastPosition + 1
        // Identity claims are checked before anything is written: a conflict sends the group
        // down the ordinary path, which refuses only the job it belongs to.
        var pending = IdentityClaims.Pending()
        if group.jobs.contains(where: { $0.batch.requests.contains { $0.identity?.claims.isEmpty == false } }) {
            let claims = try recentClaims(of: group.jobs.lazy.flatMap(\.batch.requests), txn: txn)
            var stream = prediction.nextStream
            for job in group.jobs {
                for request in job.batch.requests {
                    if let identity = request.identity {
                        do {
                            try IdentityClaims.check(identity, stream: stream, lastPosition: context.lastPosition, recent: claims)
                        } catch {
                            return nil
                        }
                    }
                    stream += 1
                }
            }
            // Jobs of different writers taking one value in one group: the ordinary path,
            // which checks each job against those before it, decides.
            if group.jobs.count > 1 {
                let taken = group.jobs.enumerated().flatMap { index, job in
                    job.batch.requests.flatMap { request in (request.identity?.claims ?? []).map { (claim: $0, job: index) } }
                }.sorted { IdentityClaims.Recent.less($0.claim, $1.claim) }
                for (first, second) in zip(taken, taken.dropFirst()) where first.claim == second.claim && first.job != second.job {
                    return nil
                }
            }
        }
        // Claim every id; one already recorded sends the whole group down the ordinary path.
        var claimed = 0
        let allClaimed = try txn.withCursor(tables.eventIDs) { cursor in
            for job in group.jobs {
                for index in 0..<(job.batch.offsets.count - 1) {
                    let id = job.batch.id(index)
                    let ok = try withUnsafeBytes(of: (id.high.bigEndian, id.low.bigEndian)) { key in
                        try withUnsafeBytes(of: (first + UInt64(claimed)).bigEndian) { value in
                            try cursor.put(key: key, value: value, flags: MDB_APPEND)
                                || txn.put(tables.eventIDs, key: key, value: value, flags: MDB_NOOVERWRITE)
                        }
                    }
                    guard ok else { return false }
                    claimed += 1
                }
            }
            return true
        }
        if !allClaimed {
            var undone = 0
            for job in group.jobs {
                for index in 0..<(job.batch.offsets.count - 1) where undone < claimed {
                    let id = job.batch.id(index)
                    try withUnsafeBytes(of: (id.high.bigEndian, id.low.bigEndian)) { _ = try txn.delete(tables.eventIDs, key: $0) }
                    undone += 1
                }
            }
            return nil
        }
        try txn.withCursor(tables.log) { cursor in
            try records.bytes.withUnsafeBytes { bytes in
                for event in 0..<(records.offsets.count - 1) {
                    let record = UnsafeRawBufferPointer(rebasing: bytes[records.offsets[event]..<records.offsets[event + 1]])
                    let position = first + UInt64(event)
                    try withUnsafeBytes(of: position.bigEndian) { key in
                        guard try cursor.put(key: key, value: record, flags: MDB_APPEND) else {
                            throw LedgerError(.corrupt, "the log already holds position \(position); run `ledger verify`")
                        }
                    }
                }
            }
        }
        var outcomes = [Result<[AppendResult], any Error>]()
        var position = first
        var stream = prediction.nextStream
        for job in group.jobs {
            var results = [AppendResult]()
            for request in job.batch.requests {
                if let key = request.dataKey {
                    try storeKey(key, stream: StreamID(stream), txn: txn, context: &context)
                }
                let positions = Array(position..<(position + UInt64(request.events.count)))
                for (offset, eventPosition) in positions.enumerated() {
                    context.record(StreamTail.Entry(stream: stream, version: UInt64(offset + 1), position: eventPosition))
                }
                if let first = positions.first {
                    recordClaims(request, stream: StreamID(stream), position: first, pending: &pending)
                }
                results.append(AppendResult(stream: StreamID(stream), positions: positions, version: UInt64(positions.count), duplicates: 0))
                position += UInt64(request.events.count)
                stream += 1
            }
            outcomes.append(.success(results))
        }
        if try IdentityClaims.flush(pending, txn: txn, table: tables.claims) { context.claimsWritten += 1 }
        context.lastPosition = position - 1
        context.scratch.chainHash = records.lastHash
        context.nextStream = stream
        return outcomes
    }

    /// Merges the stream tail into the `streams` table when enough has gathered: one pass in
    /// key order, so each leaf page is copied and written once for many entries.
    private func mergeTailIfDue(txn: LMDBTransaction, index: StreamIndex) throws -> UInt64? {
        guard tail.count >= tail.threshold else { return nil }
        let through = index.bounds.lastPosition
        try txn.withCursor(tables.streams) { cursor in
            for entry in tail.sortedEntries(through: through) {
                try withUnsafeBytes(of: (entry.stream.bigEndian, entry.version.bigEndian)) { key in
                    try withUnsafeBytes(of: entry.position.bigEndian) { value in
                        guard try cursor.put(key: key, value: value, flags: MDB_APPEND)
                            || txn.put(tables.streams, key: key, value: value, flags: MDB_NOOVERWRITE) else {
                            throw LedgerError(.corrupt, "the stream index already holds stream \(entry.stream) version \(entry.version); run `ledger verify`")
                        }
                    }
                }
            }
        }
        try StreamTail.setIndexedThrough(through, txn: txn, tables: tables)
        return through
    }

    private func append(_ batch: EncodedBatch, txn: LMDBTransaction, context: inout AppendContext) throws -> [AppendResult] {
        try txn.withCursor(tables.log) { log in
            try txn.withCursor(tables.eventIDs) { ids in
                let cursors = Cursors(txn: txn, log: log, ids: ids)
                var results = [AppendResult]()
                results.reserveCapacity(batch.requests.count)
                let claims = try recentClaims(of: batch.requests, txn: txn)
                let releases = claims.isEmpty ? [] : Self.releases(of: batch.requests)
                var pending = IdentityClaims.Pending()
                // By index: iterating copied each request, its data key's references included.
                for index in batch.requests.indices {
                    results.append(try append(batch.requests[index], of: batch, cursors: cursors, context: &context, claims: claims, releases: releases, pending: &pending))
                }
                if try IdentityClaims.flush(pending, txn: txn, table: tables.claims) { context.claimsWritten += 1 }
                return results
            }
        }
    }

    /// The claim records after the oldest decision among `requests` that claim anything:
    /// read once per job (empty, without a read, when none claims).
    private func recentClaims(of requests: some Sequence<EncodedBatch.Request>, txn: LMDBTransaction) throws -> IdentityClaims.Recent {
        var oldest: UInt64?
        for request in requests {
            guard let identity = request.identity, !identity.claims.isEmpty else { continue }
            oldest = min(oldest ?? .max, identity.decidedAt)
        }
        guard let oldest else { return IdentityClaims.Recent([]) }
        return try IdentityClaims.recent(after: oldest, txn: txn, table: tables.claims)
    }

    /// The values the job's requests to existing streams give back, with those streams.
    private static func releases(of requests: [EncodedBatch.Request]) -> [(claim: IdentityClaim, stream: UInt64)] {
        var released = [(claim: IdentityClaim, stream: UInt64)]()
        for request in requests {
            guard let identity = request.identity, !identity.releases.isEmpty, case .existing(let stream) = request.target else { continue }
            for claim in identity.releases { released.append((claim, stream.rawValue)) }
        }
        return released
    }

    /// Notes the identity records of a request whose events were written from `position`,
    /// for the job's one entry.
    private func recordClaims(_ request: EncodedBatch.Request, stream: StreamID, position: UInt64, pending: inout IdentityClaims.Pending) {
        guard let identity = request.identity, !identity.isEmpty else { return }
        IdentityClaims.note(identity, stream: stream.rawValue, position: position, into: &pending)
    }

    private struct Cursors {
        let txn: LMDBTransaction
        let log: LMDBCursor
        let ids: LMDBCursor
    }

    private func append(
        _ request: EncodedBatch.Request,
        of batch: EncodedBatch,
        cursors: Cursors,
        context: inout AppendContext,
        claims: IdentityClaims.Recent,
        releases: [(claim: IdentityClaim, stream: UInt64)],
        pending: inout IdentityClaims.Pending
    ) throws -> AppendResult {
        let stream: StreamID
        let current: UInt64
        switch request.target {
        case .new:
            stream = try context.allocateStream()
            current = 0
        case .newIn(let category):
            stream = try context.allocateStream(in: category)
            current = 0
        case .existing(let existing):
            stream = existing
            current = try context.lastVersion(of: existing)
        }
        let expectationHolds = switch request.expected {
        case .any: true
        case .noStream: current == 0
        case .exact(let version): current == version
        }
        let streamMissing = !request.target.makesStream && current == 0
        if !expectationHolds || streamMissing {
            if request.target.makesStream { context.releaseStream(stream) }
            if let duplicate = try duplicateResult(request.events, of: batch, cursors: cursors, context: &context) { return duplicate }
            if streamMissing && expectationHolds {
                throw LedgerError(.streamNotFound, "stream \(stream) has no events; append to a new stream instead")
            }
            throw LedgerError.wrongExpectedVersion(stream: stream, expected: request.expected, actual: current)
        }
        if let identity = request.identity {
            do {
                try IdentityClaims.check(identity, stream: stream.rawValue, lastPosition: context.lastPosition, recent: claims, jobReleases: releases)
            } catch {
                if request.target.makesStream { context.releaseStream(stream) }
                // A retry of an append already recorded is a duplicate, not a conflict.
                if let duplicate = try duplicateResult(request.events, of: batch, cursors: cursors, context: &context) { return duplicate }
                throw error
            }
        }

        // Claim the event ids first: with time-ordered ids the append path hits the end of the
        // index; only an id out of order pays for a search, and only a known id for the undo.
        for index in request.events {
            let position = context.lastPosition + 1 + UInt64(index - request.events.lowerBound)
            let id = batch.id(index)
            let claimed = try withUnsafeBytes(of: (id.high.bigEndian, id.low.bigEndian)) { key in
                try withUnsafeBytes(of: position.bigEndian) { value in
                    try cursors.ids.put(key: key, value: value, flags: MDB_APPEND)
                        || cursors.txn.put(tables.eventIDs, key: key, value: value, flags: MDB_NOOVERWRITE)
                }
            }
            if !claimed {
                for undone in request.events.lowerBound..<index {
                    let undoneID = batch.id(undone)
                    try withUnsafeBytes(of: (undoneID.high.bigEndian, undoneID.low.bigEndian)) { key in
                        _ = try cursors.txn.delete(tables.eventIDs, key: key)
                    }
                }
                if request.target.makesStream { context.releaseStream(stream) }
                return try appendWithDuplicates(request, of: batch, cursors: cursors, context: &context, claims: claims, pending: &pending)
            }
        }
        let result = try write(request.events, of: batch, stream: stream, after: current, cursors: cursors, context: &context)
        if let key = request.dataKey {
            try storeKey(key, stream: stream, txn: cursors.txn, context: &context)
        }
        if let first = result.positions.first {
            recordClaims(request, stream: stream, position: first, pending: &pending)
        }
        return result
    }

    /// Stores `stream`'s data key, wrapped, beside its first events. New streams' keys arrive
    /// in stream order, so the put is an append; a stream that already has a key keeps it and
    /// the request fails (its events were sealed with the other key), to be decided again.
    private func storeKey(_ key: DataKey, stream: StreamID, txn: LMDBTransaction, context: inout AppendContext) throws {
        let blob = try vault.wrap(key, stream: stream.rawValue, txn: txn, tables: tables, bucketKey: &context.bucketKey)
        let stored = try withUnsafeBytes(of: stream.rawValue.bigEndian) { key in
            try blob.withUnsafeBytes { value in
                try txn.put(tables.keys, key: key, value: value, flags: MDB_APPEND)
                    || txn.put(tables.keys, key: key, value: value, flags: MDB_NOOVERWRITE)
            }
        }
        guard stored else {
            throw LedgerError(.wrongExpectedVersion, "conflict on stream \(stream): it was given a data key meanwhile")
        }
        context.keysWritten.append(stream.rawValue)
    }

    /// Stores events whose ids are already claimed: fills in stream, version and time, chains
    /// the hash, and indexes the stream.
    private func write(
        _ events: some Sequence<Int>,
        of batch: EncodedBatch,
        stream: StreamID,
        after current: UInt64,
        cursors: Cursors,
        context: inout AppendContext
    ) throws -> AppendResult {
        var positions = [UInt64]()
        var version = current
        try batch.bytes.withUnsafeBytes { bodies in
            for index in events {
                let position = context.lastPosition + 1
                version += 1
                let body = UnsafeRawBufferPointer(rebasing: bodies[batch.offsets[index]..<batch.offsets[index + 1]])
                try withUnsafeBytes(of: position.bigEndian) { positionKey in
                    guard let destination = try cursors.log.reserve(key: positionKey, count: body.count + EventRecord.hashLength, flags: MDB_APPEND) else {
                        throw LedgerError(.corrupt, "the log already holds position \(position); run `ledger verify`")
                    }
                    context.scratch.chain(body: body, stream: stream.rawValue, version: version, recordedAt: context.recordedAt, into: destination)
                }
                context.record(StreamTail.Entry(stream: stream.rawValue, version: version, position: position))
                context.lastPosition = position
                positions.append(position)
            }
        }
        return AppendResult(stream: stream, positions: positions, version: version, duplicates: 0)
    }

    /// Appends a request some of whose events are already recorded.
    ///
    /// When all are, the original positions are returned and nothing is written. When only
    /// some are, the rest are appended only if the writer accepts any version: a stricter
    /// expectation cannot be checked against a half-applied retry.
    private func appendWithDuplicates(
        _ request: EncodedBatch.Request,
        of batch: EncodedBatch,
        cursors: Cursors,
        context: inout AppendContext,
        claims: IdentityClaims.Recent,
        pending: inout IdentityClaims.Pending
    ) throws -> AppendResult {
        if let duplicate = try duplicateResult(request.events, of: batch, cursors: cursors, context: &context) { return duplicate }
        let known = try request.events.map { try position(of: batch.id($0), txn: cursors.txn) }
        guard request.expected == .any, let firstKnown = known.compactMap({ $0 }).first else {
            throw LedgerError(
                .partialDuplicate,
                "some events of this request are already recorded and some are not; retry it with the same event ids only"
            )
        }
        let stream = try streamOfEvent(at: firstKnown, txn: cursors.txn)
        let fresh = zip(request.events, known).filter { $0.1 == nil }.map(\.0)
        for (offset, index) in fresh.enumerated() {
            let id = batch.id(index)
            let position = context.lastPosition + 1 + UInt64(offset)
            try withUnsafeBytes(of: (id.high.bigEndian, id.low.bigEndian)) { key in
                try withUnsafeBytes(of: position.bigEndian) { value in
                    guard try cursors.txn.put(tables.eventIDs, key: key, value: value, flags: MDB_NOOVERWRITE) else {
                        throw LedgerError(.invalidRequest, "event id \(id) appears twice in one request")
                    }
                }
            }
        }
        let current = try context.lastVersion(of: stream)
        let appended = try write(fresh, of: batch, stream: stream, after: current, cursors: cursors, context: &context)
        if let key = request.dataKey, !fresh.isEmpty {
            try storeKey(key, stream: stream, txn: cursors.txn, context: &context)
        }
        if let first = appended.positions.first {
            recordClaims(request, stream: stream, position: first, pending: &pending)
        }
        var freshPositions = appended.positions.makeIterator()
        let positions = known.map { $0 ?? freshPositions.next() ?? 0 }
        return AppendResult(stream: stream, positions: positions, version: appended.version, duplicates: known.count - fresh.count)
    }

    /// The result of a request all of whose events are already recorded, or nil.
    private func duplicateResult(_ events: Range<Int>, of batch: EncodedBatch, cursors: Cursors, context: inout AppendContext) throws -> AppendResult? {
        var positions = [UInt64]()
        for index in events {
            guard let position = try position(of: batch.id(index), txn: cursors.txn) else { return nil }
            positions.append(position)
        }
        let stream = try streamOfEvent(at: positions[0], txn: cursors.txn)
        let version = try context.lastVersion(of: stream)
        return AppendResult(stream: stream, positions: positions, version: version, duplicates: positions.count)
    }

    private func position(of id: EventID, txn: LMDBTransaction) throws -> UInt64? {
        try withUnsafeBytes(of: (id.high.bigEndian, id.low.bigEndian)) { key in
            try txn.get(tables.eventIDs, key: key).flatMap(Ledger.decodePosition)
        }
    }

    private func streamOfEvent(at position: UInt64, txn: LMDBTransaction) throws -> StreamID {
        let stream = try withUnsafeBytes(of: position.bigEndian) { key in
            try txn.get(tables.log, key: key).map { try RecordedEvent(position: position, record: $0).stream }
        }
        guard let stream else {
            throw LedgerError(.corrupt, "the event-id index points at position \(position), which is not in the log")
        }
        return stream
    }

    /// Deletes what a failed job wrote (log entries past the savepoint and their id entries)
    /// and restores the writer's state, so the next job starts clean. Its stream entries were
    /// only pending in the context, which the savepoint restores.
    private func undo(to savepoint: AppendContext.Savepoint, txn: LMDBTransaction, context: inout AppendContext) throws {
        var position = context.lastPosition
        while position > savepoint.lastPosition {
            try withUnsafeBytes(of: position.bigEndian) { key in
                if let record = try txn.get(tables.log, key: key) {
                    let event = try RecordedEvent(position: position, record: record)
                    try withUnsafeBytes(of: (event.id.high.bigEndian, event.id.low.bigEndian)) { _ = try txn.delete(tables.eventIDs, key: $0) }
                }
                _ = try txn.delete(tables.log, key: key)
            }
            position -= 1
        }
        if context.claimsWritten > savepoint.claimsWritten {
            try IdentityClaims.undo(after: savepoint.lastPosition, txn: txn, table: tables.claims)
        }
        for stream in context.keysWritten[savepoint.keysWritten...] {
            try withUnsafeBytes(of: stream.bigEndian) { _ = try txn.delete(tables.keys, key: $0) }
        }
        // Ids claimed by a request that failed before it wrote any event point past the log.
        context.restore(savepoint)
    }
}
