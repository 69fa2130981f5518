import Dispatch
import Foundation
import LedgerStore
import Synchronization

/// Records a token import's appended batches in the `tokens` projection on a thread of its own,
/// in the order they were handed over, while the importing thread reads and prepares the next.
///
/// At a million tokens the projection's transaction (the `by-endpoint` index takes its keys all
/// over the table, so a batch copies and writes nearly a page per token) was about a third of
/// the importing thread's CPU, and that thread was the import's critical path: busy all the
/// time while the other core waited for it (docs/benchmarks.md, tokens, tokperf3).
///
/// At most `capacity` batches are handed over and not yet recorded: `submit` waits for one to be
/// recorded before taking another, so memory stays as flat as when the importing thread
/// recorded them itself. A batch is recorded only after its append committed; the first error
/// (an append that failed, a projection that cannot be written) stops the recording, is kept,
/// and is thrown by the next `submit` or by `finish`. The batches handed over are then still
/// waited for, so that their outcomes are known before the import returns.
final class TokenBatchProjector: Sendable {
    private struct State {
        var queue: [TokenBatch] = []
        var failure: (any Error)?
        var stopping = false
    }

    private let state = Mutex(State())
    /// Signalled once per batch handed over, and once more when the importing thread is done.
    private let items = DispatchSemaphore(value: 0)
    /// Batches that may still be handed over before one is recorded.
    private let slots: DispatchSemaphore
    private let ended = DispatchSemaphore(value: 0)
    private let closed = Atomic(false)
    private let committed: Atomic<UInt64>

    /// Starts the thread, recording in `book`'s projection; `committedThrough` is the entries
    /// an earlier run recorded.
    init(book: TokenBook, provider: String, capacity: Int, together: Int, committedThrough: UInt64) {
        slots = DispatchSemaphore(value: capacity)
        committed = Atomic(committedThrough)
        let thread = Thread { [self] in
            defer { ended.signal() }
            run(book: book, provider: provider, together: max(1, together))
        }
        thread.name = "ledger-tokens-project"
        thread.start()
    }

    /// Entries of the file read through the last batch known to be committed (its append
    /// returned): what a progress mark may claim.
    var committedThrough: UInt64 { committed.load(ordering: .acquiring) }

    /// Hands `batch` over, after waiting for room; throws the error that stopped the recording,
    /// if one did (the batch is then only waited for).
    func submit(_ batch: TokenBatch) throws {
        slots.wait()
        let failure = state.withLock { state -> (any Error)? in
            state.queue.append(batch)
            return state.failure
        }
        items.signal()
        if let failure { throw failure }
    }

    /// Waits until every batch handed over is recorded; throws the error that stopped the
    /// recording, if one did.
    func finish() throws {
        close()
        if let failure = state.withLock({ $0.failure }) { throw failure }
    }

    /// Stops recording (the importing thread failed) and waits for the outcomes of the batches
    /// handed over, without recording them.
    func stop() {
        state.withLock { $0.stopping = true }
        close()
    }

    private func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        items.signal()
        ended.wait()
    }

    /// The thread: takes batches in order, `together` at a time (one transaction records them
    /// all), waits for their appends and records them; then frees them here, not on the
    /// importing thread.
    private func run(book: TokenBook, provider: String, together: Int) {
        var group = [TokenBatch]()
        var last = false
        while !last {
            // A batch, or the end: the importing thread signals once more when it is done.
            while group.count < together {
                items.wait()
                guard let next = state.withLock({ $0.queue.isEmpty ? nil : $0.queue.removeFirst() }) else {
                    last = true
                    break
                }
                group.append(next)
            }
            guard !group.isEmpty else { break }
            if state.withLock({ $0.failure != nil || $0.stopping }) {
                // Recording stopped: the batches' outcomes are still waited for, and a failed
                // batch's successors never count as committed (a progress mark would skip it).
                for batch in group { _ = try? batch.pending.wait() }
            } else {
                do {
                    var appended = [(batch: TokenBatch, results: [AppendResult])]()
                    appended.reserveCapacity(group.count)
                    for batch in group {
                        appended.append((batch, try batch.pending.wait()))
                        committed.store(batch.end, ordering: .releasing)
                    }
                    try TokenBatch.project(appended, book: book, provider: provider)
                } catch {
                    for batch in group { _ = try? batch.pending.wait() }
                    state.withLock { $0.failure = $0.failure ?? error }
                }
            }
            let recorded = group.count
            group.removeAll(keepingCapacity: true)
            for _ in 0..<recorded { slots.signal() }
        }
    }
}
