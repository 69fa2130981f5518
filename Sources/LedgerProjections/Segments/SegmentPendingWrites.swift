import LedgerDomain
import LedgerStore

/// The `segment-history` and `segment-members` writes of one `SegmentWork`, held in memory
/// and written once, in key order (`write`): written as they came, each transition was a put
/// on a random page of each table, and one that cancelled another at the same instant a
/// seek and a delete besides.
///
/// It also knows each (segment, contact)'s latest transition as this work left it, so a
/// transition that undoes the last at the same instant is found without reading the store.
///
/// Held per contact, as the steps each (segment, contact) took in order, by segment index (in
/// the `SegmentRuleSet` the work holds, which does not change while anything is pending: a
/// rule's definition writes what is pending first) and numbers: one look-up per contact
/// event, and a contact's few steps walked, where tables keyed by each transition's and each
/// membership's bytes (then by their numbers) were three hashed look-ups per transition and
/// grew, rehashing, to tens of thousands of entries per batch. The keys' bytes are built once,
/// when written, and sorted as the stored keys sort (`SegmentKeyOrder`).
struct SegmentPendingWrites {
    /// A (segment, contact) pair: a `segment-members` key, and a contact's history in a segment.
    struct Member: Hashable {
        /// The segment's index in the rule set.
        var segment: Int
        /// The contact.
        var stream: StreamID
    }

    /// What this work left as a (segment, contact)'s latest transition.
    enum Latest {
        /// This transition (its history key's position is its own).
        case transition(SegmentTransition)
        /// One was cancelled: the one before it is at an earlier instant (two transitions at
        /// one instant never follow each other: the second cancels the first), so none at
        /// a later instant can cancel it.
        case noneAtThisInstant
    }

    /// One step of a (segment, contact): a history entry written, or one removed, and the
    /// transition whose membership it leaves.
    struct Step {
        enum Action {
            /// The history entry at `position` is `leaves`.
            case put
            /// The stored entry at `position` is removed (`leaves` undid it).
            case delete
            /// The entry this work put at `position` is dropped (`leaves` undid it).
            case dropped
        }
        var segment: Int
        var position: UInt64
        var action: Action
        var leaves: SegmentTransition
    }

    /// Each contact's steps, in order.
    private(set) var steps: [StreamID: [Step]] = [:]

    /// Whether nothing waits to be written.
    var isEmpty: Bool { steps.isEmpty }

    /// The latest transition this work recorded or cancelled for `member`, if any.
    func latest(of member: Member) -> Latest? {
        guard let step = steps[member.stream]?.last(where: { $0.segment == member.segment }) else { return nil }
        return step.action == .put ? .transition(step.leaves) : .noneAtThisInstant
    }

    /// Records `transition` in the history of `member`, and the membership it leaves.
    mutating func record(_ transition: SegmentTransition, member: Member) {
        steps[member.stream, default: []].append(Step(segment: member.segment, position: transition.position, action: .put, leaves: transition))
    }

    /// Removes the transition of `member` at `position` (stored, or recorded here), which
    /// `transition` undoes at the same instant, and sets the membership `transition` leaves.
    mutating func cancel(at position: UInt64, by transition: SegmentTransition, member: Member) {
        var own = false
        if let index = steps[member.stream]?.lastIndex(where: { $0.segment == member.segment && $0.position == position && $0.action == .put }) {
            // Recorded by this work and never stored.
            steps[member.stream]?[index].action = .dropped
            own = true
        }
        steps[member.stream, default: []].append(Step(segment: member.segment, position: position, action: own ? .dropped : .delete, leaves: transition))
    }

    /// Writes everything held, each table in key order, and forgets it. `order` gives each
    /// segment's key prefix and place among the stored keys.
    mutating func write(history historyTable: ProjectionStore.Table, members membersTable: ProjectionStore.Table, order: SegmentKeyOrder, in transaction: ProjectionTransaction) throws {
        var history = [(member: Member, step: Step)]()
        var members = [(member: Member, leaves: SegmentTransition)]()
        for (stream, list) in steps {
            for (index, step) in list.enumerated() {
                let member = Member(segment: step.segment, stream: stream)
                if step.action != .dropped { history.append((member, step)) }
                // A member's last step says the membership it leaves.
                if !list[(index + 1)...].contains(where: { $0.segment == step.segment }) { members.append((member, step.leaves)) }
            }
        }
        history.sort { order.precedes($0.member, $0.step.position, $1.member, $1.step.position) }
        for (member, step) in history {
            let key = order.key(member, position: step.position)
            if step.action == .put {
                try transaction.put(historyTable, key, step.leaves.encodedValue())
            } else {
                _ = try transaction.delete(historyTable, key)
            }
        }
        members.sort { order.precedes($0.member, 0, $1.member, 0) }
        for (member, leaves) in members {
            let key = order.key(member)
            if leaves.entered {
                var writer = BinaryWriter(capacity: 16)
                writer.write(leaves.at)
                writer.write(leaves.version)
                try transaction.put(membersTable, key, writer.bytes)
            } else {
                _ = try transaction.delete(membersTable, key)
            }
        }
        steps.removeAll(keepingCapacity: true)
    }
}

/// The stored keys of a rule set's segments (`SegmentKeys`), by segment index: each one's
/// prefix (name ‖ 0), and its place among them in byte order, so keys held as numbers sort
/// as their bytes do (name, then stream, then position, all compared bytewise).
struct SegmentKeyOrder: Sendable {
    /// Per segment, its name's UTF-8 and a zero byte.
    let prefixes: [[UInt8]]
    /// Per segment, its place when the prefixes are sorted bytewise.
    let ranks: [Int]

    /// The order of `names`' keys.
    init(_ names: [String]) {
        let prefixes = names.map(SegmentKeys.prefix)
        self.prefixes = prefixes
        var ranks = [Int](repeating: 0, count: names.count)
        // A prefix ends with the zero byte no name holds, so no prefix starts another: the
        // prefixes sort as the whole keys that start with them do.
        for (rank, index) in prefixes.indices.sorted(by: { prefixes[$0].lexicographicallyPrecedes(prefixes[$1]) }).enumerated() {
            ranks[index] = rank
        }
        self.ranks = ranks
    }

    /// Whether the key of (`a`, `aPosition`) sorts before that of (`b`, `bPosition`);
    /// positions are compared only within one member (members' keys have none).
    func precedes(_ a: SegmentPendingWrites.Member, _ aPosition: UInt64, _ b: SegmentPendingWrites.Member, _ bPosition: UInt64) -> Bool {
        if a.segment != b.segment { return ranks[a.segment] < ranks[b.segment] }
        // Big-endian numbers sort bytewise as they do numerically.
        if a.stream != b.stream { return a.stream.rawValue < b.stream.rawValue }
        return aPosition < bPosition
    }

    /// The `segment-members` key of `member` (the prefix of its history keys).
    func key(_ member: SegmentPendingWrites.Member) -> [UInt8] {
        var bytes = prefixes[member.segment]
        bytes.reserveCapacity(bytes.count + 16)
        withUnsafeBytes(of: member.stream.rawValue.bigEndian) { bytes.append(contentsOf: $0) }
        return bytes
    }

    /// The `segment-history` key of `member`'s transition caused at `position`.
    func key(_ member: SegmentPendingWrites.Member, position: UInt64) -> [UInt8] {
        var bytes = key(member)
        withUnsafeBytes(of: position.bigEndian) { bytes.append(contentsOf: $0) }
        return bytes
    }
}
