import Synchronization

/// Whether the importing thread has caught up with the preparer and waits for its next batch.
///
/// Which of the two is the import's bottleneck changes as it goes: early on the preparer
/// (libphonenumber, sealing), later the importing thread (the projection's index work grows
/// with the store). While the importing thread waits, the preparer leaves the rest of the
/// batch's rows to it: a row without a prepared creation is decided and sealed by the plan,
/// with the same events, so the work moves to the thread that has time for it.
final class PreparerLag: Sendable {
    private let waiting = Atomic<Bool>(false)

    /// Whether the importing thread is waiting for the batch being prepared.
    var isBehind: Bool {
        waiting.load(ordering: .relaxed)
    }

    /// The importing thread found no batch waiting for it.
    func importerWaits() {
        waiting.store(true, ordering: .relaxed)
    }

    /// The preparer delivered a batch.
    func delivered() {
        waiting.store(false, ordering: .relaxed)
    }
}
