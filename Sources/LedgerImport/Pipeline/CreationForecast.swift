import Synchronization

/// Whether the rows being imported mostly create contacts, as the last recorded batch did:
/// the preparer then decides and seals each row's events as a new contact ahead of the batch
/// (`ContactBook.prepareCreation`), work that is wasted on rows that update contacts.
final class CreationForecast: Sendable {
    private let likely = Atomic<Bool>(true)

    /// Whether to prepare creations; true until a batch says otherwise.
    var creationsLikely: Bool {
        likely.load(ordering: .relaxed)
    }

    /// Learns from a recorded batch: `created` of its `requests` created contacts.
    func observe(created: Int, requests: Int) {
        guard requests > 0 else { return }
        likely.store(created * 2 >= requests, ordering: .relaxed)
    }
}
