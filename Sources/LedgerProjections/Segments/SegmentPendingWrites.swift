import LedgerDomain
import LedgerStore

/// The `segment-history` and `segment-members` writes of one `SegmentWork`, held in memory
/// and written once, in key order (`write`): written as they came, each transition was a put
/// on a random page of each table, and one that cancelled another at the same instant a
/// seek and a delete besides.
///
/// It also knows each (segment, contact)'s latest transition as this work left it, so a
/// transition that undoes the last at the same instant is found without reading the store.
struct SegmentPendingWrites {
    /// A write to one key.
    enum Write {
        case put([UInt8])
        case delete
    }

    /// What this work left as a (segment, contact)'s latest transition.
    enum Latest {
        /// This transition, under this history key.
        case transition(key: [UInt8], SegmentTransition)
        /// One was cancelled: the one before it is at an earlier instant (two transitions at
        /// one instant never follow each other: the second cancels the first), so none at
        /// a later instant can cancel it.
        case noneAtThisInstant
    }

    /// Per `segment-history` key.
    private(set) var history: [[UInt8]: Write] = [:]
    /// Per `segment-members` key.
    private(set) var members: [[UInt8]: Write] = [:]
    /// Per member key (segment ‖ 0 ‖ stream), since the last `write`.
    private(set) var latest: [[UInt8]: Latest] = [:]

    /// Whether nothing waits to be written.
    var isEmpty: Bool { history.isEmpty && members.isEmpty }

    /// The latest transition this work recorded or cancelled for `member`, if any.
    func latest(of member: [UInt8]) -> Latest? {
        latest[member]
    }

    /// Records `transition` under `key` in the history of `member`, and the membership it leaves.
    mutating func record(_ transition: SegmentTransition, key: [UInt8], member: [UInt8]) {
        history[key] = .put(transition.encodedValue())
        latest[member] = .transition(key: key, transition)
        setMembership(transition, member: member)
    }

    /// Removes the transition under `key` (stored, or recorded here), which `transition` undoes
    /// at the same instant, and sets the membership `transition` leaves.
    mutating func cancel(_ key: [UInt8], by transition: SegmentTransition, member: [UInt8]) {
        if case .put? = history[key] {
            // Recorded by this work and never stored.
            history[key] = nil
        } else {
            history[key] = .delete
        }
        latest[member] = .noneAtThisInstant
        setMembership(transition, member: member)
    }

    private mutating func setMembership(_ transition: SegmentTransition, member: [UInt8]) {
        if transition.entered {
            var writer = BinaryWriter(capacity: 16)
            writer.write(transition.at)
            writer.write(transition.version)
            members[member] = .put(writer.bytes)
        } else {
            members[member] = .delete
        }
    }

    /// Writes everything held, each table in key order, and forgets it.
    mutating func write(history historyTable: ProjectionStore.Table, members membersTable: ProjectionStore.Table, in transaction: ProjectionTransaction) throws {
        for (table, writes) in [(historyTable, history), (membersTable, members)] {
            for key in writes.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                switch writes[key] {
                case .put(let value)?: try transaction.put(table, key, value)
                case .delete?: _ = try transaction.delete(table, key)
                case nil: continue
                }
            }
        }
        history.removeAll(keepingCapacity: true)
        members.removeAll(keepingCapacity: true)
        latest.removeAll(keepingCapacity: true)
    }
}
