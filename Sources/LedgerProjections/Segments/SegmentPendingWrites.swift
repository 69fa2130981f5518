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
/// Entries are held by segment index (in the `SegmentRuleSet` the work holds, which does not
/// change while anything is pending: a rule's definition writes what is pending first) and
/// numbers, not by their stored keys: building a key's bytes and hashing them for every
/// transition cost more than the transition's put. The keys' bytes are built once, when
/// written, and their order (`SegmentKeyOrder`) is the stored keys' order.
struct SegmentPendingWrites {
    /// A (segment, contact) pair: a `segment-members` key, and a contact's history in a segment.
    struct Member: Hashable {
        /// The segment's index in the rule set.
        var segment: Int
        /// The contact.
        var stream: StreamID
    }

    /// A `segment-history` key.
    struct HistoryKey: Hashable {
        var member: Member
        /// The position of the event that caused the transition.
        var position: UInt64
    }

    /// A write to one key: a value, or its removal.
    enum Write<Value> {
        case put(Value)
        case delete
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

    /// Per `segment-history` key.
    private(set) var history: [HistoryKey: Write<SegmentTransition>] = [:]
    /// Per `segment-members` key: entered at and rule version.
    private(set) var members: [Member: Write<SegmentTransition>] = [:]
    /// Per member, since the last `write`.
    private(set) var latest: [Member: Latest] = [:]

    /// Whether nothing waits to be written.
    var isEmpty: Bool { history.isEmpty && members.isEmpty }

    /// The latest transition this work recorded or cancelled for `member`, if any.
    func latest(of member: Member) -> Latest? {
        latest[member]
    }

    /// Records `transition` in the history of `member`, and the membership it leaves.
    mutating func record(_ transition: SegmentTransition, member: Member) {
        history[HistoryKey(member: member, position: transition.position)] = .put(transition)
        latest[member] = .transition(transition)
        setMembership(transition, member: member)
    }

    /// Removes the transition of `member` at `position` (stored, or recorded here), which
    /// `transition` undoes at the same instant, and sets the membership `transition` leaves.
    mutating func cancel(at position: UInt64, by transition: SegmentTransition, member: Member) {
        let key = HistoryKey(member: member, position: position)
        if case .put? = history[key] {
            // Recorded by this work and never stored.
            history[key] = nil
        } else {
            history[key] = .delete
        }
        latest[member] = .noneAtThisInstant
        setMembership(transition, member: member)
    }

    private mutating func setMembership(_ transition: SegmentTransition, member: Member) {
        members[member] = transition.entered ? .put(transition) : .delete
    }

    /// Writes everything held, each table in key order, and forgets it. `order` gives each
    /// segment's key prefix and place among the stored keys.
    mutating func write(history historyTable: ProjectionStore.Table, members membersTable: ProjectionStore.Table, order: SegmentKeyOrder, in transaction: ProjectionTransaction) throws {
        let historyKeys = history.keys.sorted { order.precedes($0.member, $0.position, $1.member, $1.position) }
        for key in historyKeys {
            let bytes = order.key(key.member, position: key.position)
            switch history[key] {
            case .put(let transition)?: try transaction.put(historyTable, bytes, transition.encodedValue())
            case .delete?: _ = try transaction.delete(historyTable, bytes)
            case nil: continue
            }
        }
        let memberKeys = members.keys.sorted { order.precedes($0, 0, $1, 0) }
        for member in memberKeys {
            let bytes = order.key(member)
            switch members[member] {
            case .put(let transition)?:
                var writer = BinaryWriter(capacity: 16)
                writer.write(transition.at)
                writer.write(transition.version)
                try transaction.put(membersTable, bytes, writer.bytes)
            case .delete?: _ = try transaction.delete(membersTable, bytes)
            case nil: continue
            }
        }
        history.removeAll(keepingCapacity: true)
        members.removeAll(keepingCapacity: true)
        latest.removeAll(keepingCapacity: true)
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
