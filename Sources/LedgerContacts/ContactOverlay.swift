import LedgerDomain
import LedgerProjections
import LedgerStore
import Synchronization

/// Batches a writer of this process committed and answered before the contact projection could
/// record them, because another writer's batch came before them in the log and was not recorded
/// yet (an import in another process, which records it from memory a moment later); and what
/// they did to each contact and identifier, for reads (decision 0020, addendum on the overlay).
///
/// A batch is recorded into the projection, from what its writer folded, once the projection
/// reaches the position before it (`ContactBook.recordOverlay`); any catch-up that folds it
/// from the log first does as well. Until then a read of the projection at checkpoint `c`
/// takes a contact's state and an identifier's holder from here when a batch after `c` changed
/// them: that state is the contact's as of the batch (its events were appended with the
/// version the writer read, so nothing came between), which makes a write answered readable
/// by the next request without waiting for the other writer.
final class ContactOverlay: Sendable {
    /// One batch waiting to be recorded, with what its writer folded.
    struct Batch: Sendable {
        let contacts: [FoldedContact]
        let definitions: [(FieldDefined, StreamID)]
        let positions: ClosedRange<UInt64>
        let headHash: [UInt8]
        /// When it was committed: a batch that waits past `ContactBook.stalledAfter` has the
        /// gap before it folded in from the log.
        let since: ContinuousClock.Instant
    }

    /// A contact's state after the last batch here that changed it, and that batch's end.
    struct Entry: Sendable {
        let state: ContactState?
        let through: UInt64
    }

    /// An identifier's holder after the last batch here that gave or took it (nil: nobody),
    /// and that batch's end.
    struct Holder: Sendable {
        let stream: StreamID?
        let through: UInt64
    }

    private struct Contents {
        var batches: [Batch] = []
        var states: [StreamID: Entry] = [:]
        /// By `BatchPlan.slot(kind)`.
        var holders: [[String: Holder]] = Array(repeating: [:], count: IdentifierKind.allCases.count)
    }

    private let contents = Mutex(Contents())
    /// How many batches wait: read without the lock by every read, which finds it 0 unless
    /// another writer's batch is in flight.
    private let waiting = Atomic<Int>(0)

    /// Whether no batch waits.
    var isEmpty: Bool { waiting.load(ordering: .acquiring) == 0 }

    /// Batches waiting to be recorded.
    var count: Int { waiting.load(ordering: .acquiring) }

    /// Adds a batch just committed (after every batch already here, as the log has them).
    func add(_ batch: Batch) {
        contents.withLock { contents in
            let through = batch.positions.upperBound
            for contact in batch.contacts {
                let new = contact.new
                contents.states[contact.stream] = Entry(state: new, through: through)
                for kind in IdentifierKind.allCases {
                    let slot = BatchPlan.slot(kind)
                    let held = new?.identifiers(kind) ?? []
                    for old in contact.old?.identifiers(kind) ?? [] where !held.contains(old) {
                        contents.holders[slot][old] = Holder(stream: nil, through: through)
                    }
                    for value in held { contents.holders[slot][value] = Holder(stream: contact.stream, through: through) }
                }
            }
            contents.batches.append(batch)
            waiting.store(contents.batches.count, ordering: .releasing)
        }
    }

    /// Whether the log's events after `checkpoint` through `last` are all in batches here.
    func holdsEverything(after checkpoint: UInt64, through last: UInt64) -> Bool {
        contents.withLock { contents in
            let held = contents.batches.reduce(UInt64(0)) { sum, batch in
                batch.positions.lowerBound > checkpoint ? sum + UInt64(batch.positions.count) : sum
            }
            return held == last - checkpoint && contents.batches.last?.positions.upperBound == last
        }
    }

    /// The first batch waiting, if any.
    var first: Batch? {
        contents.withLock { $0.batches.first }
    }

    /// Forgets every batch the projection at `checkpoint` holds, and every state and holder
    /// they alone set.
    func drop(through checkpoint: UInt64) {
        contents.withLock { contents in
            guard contents.batches.contains(where: { $0.positions.upperBound <= checkpoint }) else { return }
            contents.batches.removeAll { $0.positions.upperBound <= checkpoint }
            contents.states = contents.states.filter { $0.value.through > checkpoint }
            for slot in contents.holders.indices {
                contents.holders[slot] = contents.holders[slot].filter { $0.value.through > checkpoint }
            }
            waiting.store(contents.batches.count, ordering: .releasing)
        }
    }

    /// What a read of the projection at `checkpoint` must take from here: the holder of an
    /// identifier (outer nil: the projection's answer stands).
    func holder(_ kind: IdentifierKind, _ value: String, after checkpoint: UInt64) -> StreamID?? {
        contents.withLock { contents in
            guard let holder = contents.holders[BatchPlan.slot(kind)][value], holder.through > checkpoint else { return nil }
            return .some(holder.stream)
        }
    }

    /// Whether a batch here after `checkpoint` changed one of `contacts` or gave or took one of
    /// `identifiers`: a decision about them from the projection at `checkpoint` would miss it,
    /// and one that changes nothing would not even be refused at commit.
    func touches(contacts: Set<StreamID>, identifiers: Set<String>, after checkpoint: UInt64) -> Bool {
        contents.withLock { contents in
            contacts.contains { (contents.states[$0]?.through ?? 0) > checkpoint }
                || identifiers.contains { value in contents.holders.contains { ($0[value]?.through ?? 0) > checkpoint } }
        }
    }

    /// The state of contact `id` a read of the projection at `checkpoint` must take from here
    /// (outer nil: the projection's stands).
    func state(_ id: StreamID, after checkpoint: UInt64) -> ContactState?? {
        contents.withLock { contents in
            guard let entry = contents.states[id], entry.through > checkpoint else { return nil }
            return .some(entry.state)
        }
    }
}
