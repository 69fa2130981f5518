import Dispatch
import LedgerContacts
import LedgerDomain
import LedgerStore
import Synchronization

/// Prepares a batch's new contacts (`ContactBook.prepareCreation`: deciding, encoding, sealing
/// and folding their events, about half of a bulk import's CPU) on two threads at once: the
/// preparer's own and one from the pool.
///
/// An import has three busy threads (the preparer, the one recording batches and the ledger's
/// writer) on what is often two cores, and none of them is busy all the time: each waits for
/// another now and then. With the preparations split into chunks that either lane takes as it
/// gets to them, a core that one of the others leaves idle prepares contacts instead.
///
/// Each lane keeps its own cipher context, scratch buffers and field rules. A rule learnt in
/// one lane (a custom field's first use, which is left to the plan) is shared with the other
/// after each batch; until then that lane leaves the field's rows to the plan too, which
/// decides them the same way.
struct CreationLanes {
    /// One lane's own state.
    struct Lane {
        var rules: ContactFieldRules
        let cipher = PayloadCipher()
        var scratch = CreationScratch()
    }

    private var lanes: [Lane]
    /// Requests a lane takes at a time.
    static let chunk = 64

    init(rules: ContactFieldRules, count: Int = 2) {
        // Each made apart: a cipher context is a class, and lanes must not share one.
        lanes = (0..<max(1, count)).map { _ in Lane(rules: rules) }
    }

    /// Prepares the creations of `items` at `indices` (each request's identifiers normalised
    /// already), storing each in its request's `prepared`.
    mutating func prepare(_ items: inout [UpsertItem], at indices: [Int], book: ContactBook, actor: Actor) {
        guard !indices.isEmpty else { return }
        let next = Atomic<Int>(0)
        let laneCount = indices.count > Self.chunk ? lanes.count : 1
        items.withUnsafeMutableBufferPointer { items in
            lanes.withUnsafeMutableBufferPointer { lanes in
                // Each lane writes only the requests of the chunks it took, and its own state.
                nonisolated(unsafe) let slots = items
                nonisolated(unsafe) let states = lanes
                DispatchQueue.concurrentPerform(iterations: laneCount) { lane in
                    // Moved out of its slot for the run and back after: its buffers stay uniquely held.
                    guard let slot = states.baseAddress.map({ $0 + lane }) else { return }
                    var own = slot.move()
                    defer { slot.initialize(to: own) }
                    while true {
                        let start = next.add(Self.chunk, ordering: .relaxed).oldValue
                        guard start < indices.count else { return }
                        for index in indices[start..<min(start + Self.chunk, indices.count)] {
                            guard let identifiers = slots[index].identifiers else { continue }
                            let prepared = book.prepareCreation(
                                slots[index].input, identifiers: identifiers, source: slots[index].source, ids: slots[index].ids, channel: .import, actor: actor,
                                rules: &own.rules, cipher: own.cipher, scratch: &own.scratch)
                            slots[index].prepared = prepared
                        }
                    }
                }
            }
        }
        shareLearntRules()
    }

    /// Gives every lane the custom fields any of them learnt.
    private mutating func shareLearntRules() {
        guard lanes.count > 1 else { return }
        var known = lanes[0].rules.customFields
        for lane in lanes.dropFirst() { known.merge(lane.rules.customFields) { first, _ in first } }
        for index in lanes.indices where lanes[index].rules.customFields.count != known.count {
            lanes[index].rules.customFields = known
        }
    }
}
