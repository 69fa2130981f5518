import LedgerDomain
import LedgerStore

/// Read access to the segment projection (in the contact projection's store): rules,
/// members now or at a time, a contact's history, and evaluation of a rule over every contact.
public struct SegmentDirectory: Sendable {
    /// The contact projection's store.
    public let store: ProjectionStore

    /// Reads `store`, which must hold the contact projection.
    public init(store: ProjectionStore) {
        self.store = store
    }

    /// Whether the projection is awake (a dynamic segment was ever defined).
    public func isActive() throws -> Bool {
        try store.read { try SegmentProjection().isActive(in: $0, store: store) }
    }

    /// Every dynamic segment's current rule, by name.
    public func rules() throws -> [String: SegmentRuleRecord] {
        let table = try store.table("segment-rules")
        return try store.read { transaction in
            var records = [String: SegmentRuleRecord]()
            try transaction.forEach(table) { key, value in
                if key.first != 0 { records[String(decoding: key, as: UTF8.self)] = try SegmentRuleRecord(decoding: value) }
                return true
            }
            return records
        }
    }

    /// The rules compiled in dependency order, with the declared custom fields.
    public func ruleSet() throws -> SegmentRuleSet {
        try store.read { try SegmentWork.loadRules(transaction: $0, store: store) }
    }

    /// The declared custom fields and their types.
    public func fieldTypes() throws -> [String: FieldType] {
        try store.read { try SegmentWork.fieldTypes(transaction: $0, store: store) }
    }

    /// The dynamic segment's members now, in stream order, with when they entered.
    public func members(_ segment: String) throws -> [(stream: StreamID, since: Int64, version: UInt64)] {
        let table = try store.table("segment-members")
        let prefix = SegmentKeys.prefix(segment)
        return try store.read { transaction in
            var found = [(stream: StreamID, since: Int64, version: UInt64)]()
            try transaction.forEach(table, from: prefix) { key, value in
                guard SegmentKeys.starts(key, with: prefix), key.count == prefix.count + 8 else { return false }
                var reader = BinaryReader(value)
                found.append((StreamID(SegmentKeys.readBigEndian(key, at: prefix.count)), try reader.readInt64(), try reader.readUInt64()))
                return true
            }
            return found
        }
    }

    /// How many members the dynamic segment has now.
    public func memberCount(_ segment: String) throws -> Int {
        try members(segment).count
    }

    /// The dynamic segment's members as they were at `time` (every transition recorded at or
    /// before it counts), in stream order.
    public func members(_ segment: String, at time: Int64) throws -> [StreamID] {
        let table = try store.table("segment-history")
        let prefix = SegmentKeys.prefix(segment)
        return try store.read { transaction in
            var found = [StreamID]()
            var current: UInt64?
            var member = false
            try transaction.forEach(table, from: prefix) { key, value in
                guard SegmentKeys.starts(key, with: prefix), key.count == prefix.count + 16 else { return false }
                let stream = SegmentKeys.readBigEndian(key, at: prefix.count)
                if stream != current {
                    if member, let current { found.append(StreamID(current)) }
                    current = stream
                    member = false
                }
                let transition = try SegmentTransition(position: SegmentKeys.readBigEndian(key, at: prefix.count + 8), value: value)
                if transition.at <= time { member = transition.entered }
                return true
            }
            if member, let current { found.append(StreamID(current)) }
            return found
        }
    }

    /// The contact's transitions in and out of the dynamic segment, oldest first.
    public func history(_ segment: String, of stream: StreamID) throws -> [SegmentTransition] {
        let table = try store.table("segment-history")
        let prefix = SegmentKeys.member(segment, stream)
        return try store.read { transaction in
            var found = [SegmentTransition]()
            try transaction.forEach(table, from: prefix) { key, value in
                guard SegmentKeys.starts(key, with: prefix), key.count == prefix.count + 8 else { return false }
                found.append(try SegmentTransition(position: SegmentKeys.readBigEndian(key, at: prefix.count), value: value))
                return true
            }
            return found
        }
    }

    /// Who entered and who left the dynamic segment because of the event at `position` (a rule's
    /// definition or refresh), from its history, each in stream order. Erased contacts, whose
    /// history went with their values, are in neither.
    public func changes(_ segment: String, causedAt position: UInt64) throws -> (entered: [StreamID], left: [StreamID]) {
        let table = try store.table("segment-history")
        let prefix = SegmentKeys.prefix(segment)
        return try store.read { transaction in
            var entered = [StreamID]()
            var left = [StreamID]()
            try transaction.forEach(table, from: prefix) { key, value in
                guard SegmentKeys.starts(key, with: prefix), key.count == prefix.count + 16 else { return false }
                guard SegmentKeys.readBigEndian(key, at: prefix.count + 8) == position else { return true }
                let stream = StreamID(SegmentKeys.readBigEndian(key, at: prefix.count))
                if try SegmentTransition(position: position, value: value).entered { entered.append(stream) } else { left.append(stream) }
                return true
            }
            return (entered, left)
        }
    }

    /// The dynamic segments the contact is in now, by name.
    public func segments(of stream: StreamID) throws -> [String] {
        let table = try store.table("segment-contacts")
        let names = Dictionary(try rules().map { ($0.value.stream.rawValue, $0.key) }, uniquingKeysWith: { first, _ in first })
        return try store.read { transaction in
            try transaction.withValue(table, SegmentKeys.stream(stream)) { bytes in
                guard let bytes else { return [] }
                return stride(from: 0, to: bytes.count - bytes.count % 8, by: 8).compactMap { names[SegmentKeys.readBigEndian(bytes, at: $0)] }.sorted()
            }
        }
    }

    /// The contact's log facts.
    public func facts(of stream: StreamID) throws -> SegmentFacts {
        let table = try store.table("segment-facts")
        return try store.read { transaction in
            try transaction.withValue(table, SegmentKeys.stream(stream)) { bytes in
                try bytes.map { try SegmentFacts(decoding: $0) }
            } ?? SegmentFacts()
        }
    }

    /// Calls `body` with every contact's state and facts, in stream order, in one snapshot.
    public func forEachContact(_ body: (ContactState, SegmentFacts) throws -> Void) throws {
        let contacts = try ContactTables(store).contacts
        let factsTable = try store.table("segment-facts")
        try store.read { transaction in
            try transaction.withReader(factsTable) { facts in
                var pending = try facts.next()
                try transaction.forEach(contacts) { key, value in
                    guard key.count == 8 else { return true }
                    let state = try ContactState(decoding: value)
                    // The facts table is keyed like `contacts`: walked beside it.
                    var known = SegmentFacts()
                    while let entry = pending, entry.key.count == 8, entry.key.lexicographicallyPrecedes(key) {
                        pending = try facts.next()
                    }
                    if let entry = pending, entry.key.elementsEqual(key) {
                        known = try SegmentFacts(decoding: entry.value)
                    }
                    try body(state, known)
                    return true
                }
            }
        }
    }

    /// Evaluates `rule` for every contact at `now`, with the current dynamic memberships for
    /// the segments it names; the streams it holds for, in stream order.
    public func evaluate(_ rule: SegmentRule, now: Int64) throws -> [StreamID] {
        try evaluate([rule], now: now)[0]
    }

    /// Evaluates each of `rules` for every contact at `now`, in one pass over the contacts.
    ///
    /// The contacts are walked in key order (sequential pages), and their stored bytes copied
    /// out of the snapshot in runs of 32,768 contacts (one buffer per run); each run is read
    /// and evaluated on every core, in chunks that each collect their own matches. No state is
    /// built: each is read in place (`StoredContactState`), only the values the rules ask for,
    /// and the facts only when a rule reads them: building states, even only the parts the
    /// rules read, cost several times what evaluating the rules does.
    public func evaluate(_ rules: [SegmentRule], now: Int64) throws -> [[StreamID]] {
        let set = try ruleSet()
        let compiled = rules.map { CompiledRule($0, dynamic: set.index) }
        let reads = rules.map(RuleReads.init)
        let readsFacts = reads.contains { $0.facts }
        let fieldTimes = reads.contains { $0.fieldTimes }
        let base = RuleContext(now: now, segments: set.entries.count)
        let named = Set(rules.flatMap { $0.segmentsNamed.compactMap { set.index[$0] } }).sorted()
        var memberSets = [Int: Set<StreamID>]()
        for index in named { memberSets[index] = Set(try members(set.entries[index].name).map(\.stream)) }
        let dynamic = memberSets
        var matched = [[StreamID]](repeating: [], count: rules.count)
        var buffer = [UInt8]()
        var run = [(stream: UInt64, state: Range<Int>, facts: Range<Int>?)]()
        let chunkSize = 2_048
        func evaluateRun() throws {
            let bytes = buffer
            let entries = run
            let starts = Array(stride(from: 0, to: entries.count, by: chunkSize))
            let found = try starts.concurrentMap(chunkSize: 1) { start -> [[UInt64]] in
                var hits = [[UInt64]](repeating: [], count: compiled.count)
                var context = base
                try bytes.withUnsafeBytes { raw in
                    for entry in entries[start..<min(start + chunkSize, entries.count)] {
                        let state = try StoredContactState(UnsafeRawBufferPointer(rebasing: raw[entry.state]))
                        let facts = try entry.facts.map { try SegmentFacts(decoding: UnsafeRawBufferPointer(rebasing: raw[$0]), fieldTimes: fieldTimes) } ?? SegmentFacts()
                        for index in named { context.dynamicMembers[index] = dynamic[index]?.contains(state.head.id) ?? false }
                        for (slot, rule) in compiled.enumerated() where rule.matches(state, facts: facts, context: context) {
                            hits[slot].append(entry.stream)
                        }
                    }
                }
                return hits
            }
            for chunk in found {
                for slot in chunk.indices { matched[slot].append(contentsOf: chunk[slot].lazy.map { StreamID($0) }) }
            }
            run.removeAll(keepingCapacity: true)
            buffer.removeAll(keepingCapacity: true)
        }
        let contacts = try ContactTables(store).contacts
        let factsTable = try store.table("segment-facts")
        try store.read { transaction in
            // The facts table is keyed like `contacts`: walked beside it, when a rule reads it.
            try transaction.withReader(factsTable) { facts in
                var pending = readsFacts ? try facts.next() : nil
                try transaction.forEach(contacts) { key, value in
                    guard key.count == 8 else { return true }
                    while let entry = pending, entry.key.lexicographicallyPrecedes(key) { pending = try facts.next() }
                    let stateStart = buffer.count
                    buffer.append(contentsOf: value)
                    var factRange: Range<Int>?
                    if let entry = pending, entry.key.elementsEqual(key) {
                        let start = buffer.count
                        buffer.append(contentsOf: entry.value)
                        factRange = start..<buffer.count
                    }
                    run.append((SegmentKeys.readBigEndian(key, at: 0), stateStart..<(factRange?.lowerBound ?? buffer.count), factRange))
                    if run.count >= 32_768 { try evaluateRun() }
                    return true
                }
            }
        }
        if !run.isEmpty { try evaluateRun() }
        return matched
    }
}
