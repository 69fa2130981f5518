import Synchronization

/// Batches the importing thread is done with, freed by whichever thread has time to spare.
///
/// A batch holds thousands of small allocations (each row's request, its prepared events and
/// state); freeing them takes about a tenth of a thread. Late in an import the importing
/// thread is the critical path (the projection's index work grows with it) and the preparer
/// has time to spare; early on it is the other way round. So the importing thread hands each
/// recorded batch over; the preparer drops what it was handed before each batch it reads, and
/// the importing thread does when it finds no batch waiting for it.
final class BatchDisposal: Sendable {
    private let batches = Mutex<[PreparedBatch]>([])

    /// Hands `batch` over to be freed by `drain`.
    func dispose(_ batch: PreparedBatch) {
        batches.withLock { $0.append(batch) }
    }

    /// Frees, on the calling thread, every batch handed over so far.
    func drain() {
        let drained = batches.withLock { batches -> [PreparedBatch] in
            defer { batches = [] }
            return batches
        }
        // The last references go here, with the batches' memory.
        withExtendedLifetime(drained) {}
    }
}
