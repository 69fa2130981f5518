import Dispatch
import LedgerDomain
import Synchronization

extension Ledger {
    /// Appends a batch of requests atomically and durably; blocks until it is committed.
    ///
    /// The batch is one LMDB transaction (possibly shared with other writers' batches):
    /// either all of its requests are recorded, or, when one fails, none is.
    public func append(_ requests: [AppendRequest]) throws -> [AppendResult] {
        try submit(requests).wait()
    }

    /// Appends a batch and records `progress` in the same transaction.
    public func append(_ requests: [AppendRequest], progress: ProgressMark?) throws -> [AppendResult] {
        try submit(requests, progress: progress).wait()
    }

    /// The last progress mark recorded under `key`, or nil.
    public func progress(for key: String) throws -> UInt64? {
        try storage("read progress \(key)") {
            try environment.read { txn in
                try Array(key.utf8).withUnsafeBytes { try txn.get(tables.progress, key: $0).flatMap(Ledger.decodePosition) }
            }
        }
    }

    /// Appends one request durably; blocks until it is committed.
    public func append(_ request: AppendRequest) throws -> AppendResult {
        let results = try append([request])
        guard let result = results.first else { throw LedgerError(.invalidRequest, "no result for the request") }
        return result
    }

    /// Hands a batch to the writer and returns at once, so the caller can prepare the next
    /// batch while this one is written; batches are committed in the order submitted.
    ///
    /// Bulk writers (imports) keep one or two batches in flight this way to use both cores.
    public func submit(_ requests: [AppendRequest], progress: ProgressMark? = nil) throws -> PendingAppend {
        let batch = try EncodedBatch(requests, progress: progress)
        let pending = PendingAppend(batch: batch)
        committer.submit(GroupCommitter.Job(batch: batch) { pending.complete($0) })
        return pending
    }

    /// `submit(_:progress:)` that also calls `whenDone` on the writer's thread once the batch
    /// is committed or refused, right after `PendingAppend.isDone` turns true: for a caller
    /// that keeps several batches in flight and must not block on any one of them (the contact
    /// service's pipelined commits). `whenDone` must only signal: the writer waits for it.
    public func submit(_ requests: [AppendRequest], whenDone: @escaping @Sendable () -> Void) throws -> PendingAppend {
        let batch = try EncodedBatch(requests)
        let pending = PendingAppend(batch: batch)
        committer.submit(GroupCommitter.Job(batch: batch) { result in
            pending.complete(result)
            whenDone()
        })
        return pending
    }

    /// `submit(_:progress:)` for requests that each make a new stream, encoded ahead in
    /// `parts` (a bulk writer's chunks): one transaction, results in the parts' order.
    public func submit(newStreams parts: [NewStreamRequests], progress: ProgressMark? = nil) throws -> PendingAppend {
        let batch = EncodedBatch(parts, progress: progress)
        let pending = PendingAppend(batch: batch)
        committer.submit(GroupCommitter.Job(batch: batch) { pending.complete($0) })
        return pending
    }

    /// Appends a batch of requests atomically and durably, suspending until committed.
    ///
    /// No transaction is held across the suspension: the writer thread owns it.
    public func append(_ requests: [AppendRequest]) async throws -> [AppendResult] {
        let batch = try EncodedBatch(requests)
        return try await withCheckedThrowingContinuation { continuation in
            committer.submit(GroupCommitter.Job(batch: batch) { result in
                continuation.resume(with: result)
            })
        }
    }

    /// Appends one request durably, suspending until committed.
    public func append(_ request: AppendRequest) async throws -> AppendResult {
        let results: [AppendResult] = try await append([request])
        guard let result = results.first else { throw LedgerError(.invalidRequest, "no result for the request") }
        return result
    }
}

extension Ledger {
    /// Runs `body` inside an empty write transaction of the store: LMDB's write lock, which
    /// every process's writer takes, is held until `body` returns, and nothing is written.
    /// For tests of a writer that waits for another process (`ledger-stress --hold-write-lock`).
    package func holdingWriteLock(_ body: () throws -> Void) throws {
        try storage("hold the write lock") { try environment.write { _ in try body() } }
    }
}

/// A batch handed to the writer with `Ledger.submit`, whose outcome is not known yet.
public final class PendingAppend: Sendable {
    /// Held so that the batch's memory is freed on the caller's thread, not the writer's.
    private let batch: EncodedBatch
    private let outcome = Mutex<Result<[AppendResult], any Error>?>(nil)
    private let done = DispatchSemaphore(value: 0)

    fileprivate init(batch: EncodedBatch) {
        self.batch = batch
    }

    fileprivate func complete(_ result: Result<[AppendResult], any Error>) {
        outcome.withLock { $0 = result }
        done.signal()
    }

    /// Whether the batch is committed or refused: `wait` then returns at once.
    public var isDone: Bool {
        outcome.withLock { $0 != nil }
    }

    /// Blocks until the batch is committed (or failed) and returns its results.
    public func wait() throws -> [AppendResult] {
        done.wait()
        done.signal()
        guard let result = outcome.withLock({ $0 }) else {
            throw LedgerError(.closed, "the ledger closed before the append completed")
        }
        return try result.get()
    }
}
