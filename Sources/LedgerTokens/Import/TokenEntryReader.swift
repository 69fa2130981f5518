import Dispatch
import Foundation
import Synchronization

/// Reads a token export's entries in batches on a thread of its own, a batch ahead of the
/// importing thread, which drafts, checks and hands the batch to the ledger meanwhile.
///
/// Reading (the CSV parser, a `String` per field) was about a tenth of the importing thread's
/// CPU, and that thread was the import's critical path (docs/benchmarks.md, tokens, tokperf3).
///
/// The source is read on this thread only, from `init` on. A reading error ends the batches:
/// the importing thread gets every batch read before it, then the error.
final class TokenEntryReader: Sendable {
    /// Entries read together, in file order.
    struct Batch: Sendable {
        /// The entries to import.
        var entries: [TokenEntry]
        /// Entries read for this batch, those an earlier run recorded included.
        var rows: UInt64 = 0
        /// Of those, the ones an earlier run recorded (read and counted, not imported).
        var alreadyRecorded: UInt64 = 0
        /// Entries of the file read through this batch's last.
        var end: UInt64 = 0
    }

    private enum Message: Sendable {
        case batch(Batch)
        case failure(any Error)
        case end
    }

    private let queue = Mutex<[Message]>([])
    private let filled = DispatchSemaphore(value: 0)
    private let room: DispatchSemaphore
    private let stopped = Atomic(false)
    private let joined = Atomic(false)
    private let ended = DispatchSemaphore(value: 0)

    /// Starts reading `source` in batches of `batchSize` entries; the first `done` entries (an
    /// earlier run recorded them) are counted, not kept. At most `ahead` batches wait.
    init(_ source: any TokenEntrySource, batchSize: Int, skipping done: UInt64, ahead: Int = 1) {
        room = DispatchSemaphore(value: max(1, ahead))
        // Handed over to the thread: nothing else touches the source from here on.
        nonisolated(unsafe) let source = source
        let thread = Thread { [self] in
            defer { ended.signal() }
            read(source, batchSize: batchSize, skipping: done)
        }
        thread.name = "ledger-tokens-read"
        thread.start()
    }

    /// The next batch; nil after the last. Throws the error reading stopped at.
    func next() throws -> Batch? {
        filled.wait()
        let message = queue.withLock { $0.removeFirst() }
        room.signal()
        switch message {
        case .batch(let batch): return batch
        case .failure(let error): throw error
        case .end: return nil
        }
    }

    /// Stops reading, if it has not ended, and waits for the thread to end (the source is then
    /// no longer read, and may be closed or removed).
    func stop() {
        guard !joined.exchange(true, ordering: .acquiringAndReleasing) else { return }
        stopped.store(true, ordering: .releasing)
        room.signal()
        ended.wait()
    }

    private func read(_ source: any TokenEntrySource, batchSize: Int, skipping done: UInt64) {
        do {
            var consumed: UInt64 = 0
            var batch = Batch(entries: [])
            batch.entries.reserveCapacity(batchSize)
            while let entry = try source.next() {
                consumed += 1
                batch.rows += 1
                if consumed <= done {
                    batch.alreadyRecorded += 1
                    continue
                }
                batch.entries.append(entry)
                guard batch.entries.count >= batchSize else { continue }
                batch.end = consumed
                guard push(.batch(batch)) else { return }
                batch = Batch(entries: [])
                batch.entries.reserveCapacity(batchSize)
            }
            batch.end = consumed
            guard push(.batch(batch)) else { return }
            _ = push(.end)
        } catch {
            _ = push(.failure(error))
        }
    }

    /// Queues `message` once there is room; false when the importing thread stopped reading.
    private func push(_ message: Message) -> Bool {
        room.wait()
        guard !stopped.load(ordering: .acquiring) else { return false }
        queue.withLock { $0.append(message) }
        filled.signal()
        return true
    }
}
