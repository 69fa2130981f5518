import Synchronization

/// Batches the importing thread is done with, freed on the preparer's thread.
///
/// A batch holds thousands of small allocations (each row's request, its prepared events and
/// state); freeing them took about a tenth of the importing thread, which is the import's
/// critical path, while the preparer has time to spare. So the importing thread hands each
/// recorded batch over, and the preparer drops what it was handed before each batch it reads.
final class BatchDisposal: Sendable {
    private let batches = Mutex<[PreparedBatch]>([])

    /// Hands `batch` over to be freed on the preparer's thread.
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
