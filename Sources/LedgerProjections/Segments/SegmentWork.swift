import LedgerDomain
import LedgerStore

/// The segment projection's work on one batch of the feed, in one transaction: the rules,
/// and the facts and memberships of the contacts it touched, written back by `flush`.
struct SegmentWork {
    let transaction: ProjectionTransaction
    let store: ProjectionStore
    let rulesTable: ProjectionStore.Table
    let membersTable: ProjectionStore.Table
    let contactsTable: ProjectionStore.Table
    let historyTable: ProjectionStore.Table
    let factsTable: ProjectionStore.Table
    var rules: SegmentRuleSet
    /// The facts of the contacts this work touched, in their stored form (`SegmentFacts.record(_:envelope:stored:)`
    /// folds an event into them without decoding them); decoded only for the rules that read them.
    var facts = [StreamID: [UInt8]]()
    /// The contacts whose facts an event changed: only those are written back.
    var dirtyFacts = Set<StreamID>()
    var memberships = [StreamID: [Bool]]()
    var dirtyMemberships = Set<StreamID>()
    /// Transitions and members not written yet (`writePending`).
    var pending = SegmentPendingWrites()
    var context: RuleContext
    /// The latest time a rule's definition or refresh was evaluated at (every such event
    /// updates its segment's record): no transition it caused is later.
    var ruleTimes: Int64

    init(transaction: ProjectionTransaction, store: ProjectionStore) throws {
        self.transaction = transaction
        self.store = store
        rulesTable = try store.table("segment-rules")
        membersTable = try store.table("segment-members")
        contactsTable = try store.table("segment-contacts")
        historyTable = try store.table("segment-history")
        factsTable = try store.table("segment-facts")
        rules = try Self.loadRules(transaction: transaction, store: store)
        context = RuleContext(now: 0, segments: rules.entries.count)
        ruleTimes = Self.latestEvaluation(rules)
    }

    static func latestEvaluation(_ rules: SegmentRuleSet) -> Int64 {
        rules.entries.reduce(Int64.min) { max($0, $1.record.evaluatedAt, $1.record.definedAt) }
    }

    /// The stored rules, compiled against the declared fields.
    ///
    /// The last set compiled is kept with the stored bytes it came from (`CompiledRuleSets`):
    /// a follower applies a few events per transaction, and parsing and compiling 100 rules
    /// for each cost more than the events.
    static func loadRules(transaction: ProjectionTransaction, store: ProjectionStore) throws -> SegmentRuleSet {
        var source = [UInt8]()
        try transaction.forEach(try store.table("segment-rules")) { key, value in
            if key.first != 0 { CompiledRuleSets.append(key, value, to: &source) }
            return true
        }
        source.append(0xFF)
        try transaction.forEach(try ContactTables(store).fields) { key, value in
            CompiledRuleSets.append(key, value, to: &source)
            return true
        }
        if let cached = CompiledRuleSets.cached(source) { return cached }
        var records = [String: SegmentRuleRecord]()
        try transaction.forEach(try store.table("segment-rules")) { key, value in
            if key.first != 0 { records[String(decoding: key, as: UTF8.self)] = try SegmentRuleRecord(decoding: value) }
            return true
        }
        let set = SegmentRuleSet(records, fieldTypes: try fieldTypes(transaction: transaction, store: store))
        CompiledRuleSets.keep(set, for: source)
        return set
    }

    /// The declared custom fields, from the contact projection's `fields` table.
    static func fieldTypes(transaction: ProjectionTransaction, store: ProjectionStore) throws -> [String: FieldType] {
        var types = [String: FieldType]()
        try transaction.forEach(try ContactTables(store).fields) { key, value in
            if let type = FieldType(rawValue: String(decoding: value, as: UTF8.self)) {
                types[String(decoding: key, as: UTF8.self)] = type
            }
            return true
        }
        return types
    }

    // MARK: Contact events

    mutating func apply(_ change: ContactChange) throws {
        let stream = change.stream
        // The fold ignores what follows an erasure or a merge away; so do the facts.
        if let before = change.before, before.erased || before.mergedInto != nil {
            if case .contactErased = change.event {} else { return }
        }
        if facts[stream] == nil { facts[stream] = try storedFacts(stream) }
        if try SegmentFacts.record(change.event, envelope: FactEnvelope(change.recorded), stored: &facts[stream, default: SegmentFacts.emptyEncoding]) {
            dirtyFacts.insert(stream)
        }
        guard !rules.entries.isEmpty, let after = change.after else { return }
        context.setNow(change.meta.recordedAt)
        // Every stored transition of the contact was caused by one of its own events (none
        // later than its state's `updatedAt`) or by a rule's definition or refresh.
        let latest = max(change.before?.updatedAt ?? .min, ruleTimes)
        try evaluate(stream, state: after, event: change.event, position: change.meta.position, fresh: latest < context.now)
        if case .contactErased = change.event { try forgetHistory(of: stream) }
    }

    /// Drops an erased contact's membership history, as the erasure drops its values: a fold
    /// of the log after the erasure reads its personal values as erased and could not say when
    /// rules on them held, so neither may the incremental fold (they would disagree).
    mutating func forgetHistory(of stream: StreamID) throws {
        try writePending()
        for entry in rules.entries {
            let prefix = SegmentKeys.member(entry.name, stream)
            var keys = [[UInt8]]()
            try transaction.forEach(historyTable, from: prefix) { key, _ in
                guard SegmentKeys.starts(key, with: prefix), key.count == prefix.count + 8 else { return false }
                keys.append(Array(key))
                return true
            }
            for key in keys { _ = try transaction.delete(historyTable, key) }
        }
    }

    /// Evaluates `stream`'s contact after `event` and records what changed. `fresh` says no
    /// stored transition of the contact can be at `context.now`, so none needs looking up to
    /// be cancelled (`record`). The facts are decoded only as far as the rules the event can
    /// change read them.
    mutating func evaluate(_ stream: StreamID, state: ContactState, event: ContactEvent, position: UInt64, fresh: Bool) throws {
        let current = try membershipOf(stream)
        let affected = rules.readers.affected(by: event)
        let reads = rules.factsRead(affected: affected)
        var known = SegmentFacts()
        if reads.facts, let stored = facts[stream] {
            known = try stored.withUnsafeBytes { try SegmentFacts(decoding: $0, fieldTimes: reads.fieldTimes) }
        }
        let flags = Self.decide(rules, current: current, state: state, facts: known, context: &context, only: nil, affected: affected)
        try settle(stream, from: current, to: flags, position: position, fresh: fresh)
    }

    /// The contact's memberships, in `rules`' order, once the rules at `only` (every rule when
    /// nil) are evaluated for it; with `affected` (`RuleReaders.affected(by:)` of a contact
    /// event), only those the event can change (they read what it changed, or a segment they
    /// name moved just now). The others keep `current`.
    static func decide<Subject: RuleSubject>(_ rules: SegmentRuleSet, current: [Bool], state: Subject, facts: SegmentFacts, context: inout RuleContext, only: Set<Int>?, affected: [Bool]?) -> [Bool] {
        var flags = current
        for index in rules.entries.indices {
            let asked = only?.contains(index) ?? true
            // The segments a rule names come before it: their flags are final here.
            let relevant = affected.map { $0[index] || (rules.namesDynamic[index] && rules.entries[index].dependsOn.contains { flags[$0] != current[$0] }) } ?? true
            if asked && relevant {
                context.dynamicMembers[index] = false
                flags[index] = state.isMatched(by: rules.entries[index].compiled, facts: facts, context: context)
            }
            context.dynamicMembers[index] = flags[index]
        }
        return flags
    }

    /// Records each change from `current` to `flags` (in rule order) and keeps the new
    /// memberships for `flushMemberships`.
    mutating func settle(_ stream: StreamID, from current: [Bool], to flags: [Bool], position: UInt64, fresh: Bool) throws {
        guard flags != current else { return }
        for index in flags.indices where flags[index] != current[index] {
            try record(SegmentTransition(entered: flags[index], at: context.now, position: position, version: rules.entries[index].record.version),
                       segment: index, stream: stream, fresh: fresh)
        }
        memberships[stream] = flags
        dirtyMemberships.insert(stream)
    }

    // MARK: Segment events

    mutating func apply(_ event: SegmentEvent, recorded: RecordedEvent) throws {
        // The record of what a definition or refresh changed, which this fold made already
        // (decision 0018): nothing to do.
        if case .membersChanged = event { return }
        // Rules are evaluated over stored states and facts: what this batch changed goes first.
        try flush()
        let name = event.segment
        switch event {
        case .ruleDefined(let defined):
            let record = SegmentRuleRecord(stream: recorded.stream, version: defined.version, position: recorded.position,
                                           definedAt: recorded.recordedAt, evaluatedAt: recorded.recordedAt, rule: defined.rule)
            try transaction.put(rulesTable, Array(name.utf8), record.encoded())
        case .refreshed:
            guard let index = rules.index[name] else { return }
            var record = rules.entries[index].record
            record.evaluatedAt = recorded.recordedAt
            try transaction.put(rulesTable, Array(name.utf8), record.encoded())
        case .membersChanged:
            return
        }
        // Flushed above, so no membership is held in the old rules' order.
        let before = ruleTimes
        rules = try Self.loadRules(transaction: transaction, store: store)
        context = RuleContext(now: recorded.recordedAt, segments: rules.entries.count)
        let affected = Set(rules.dependents(of: [name]))
        try reevaluateEveryContact(only: affected, position: recorded.position, ruleTimes: before)
        ruleTimes = Self.latestEvaluation(rules)
        try flush()
    }

    /// Evaluates every stored contact against the rules at `only`, in key order, in slices of
    /// 16,384: each slice's stored states are copied out, read in place (`StoredContactState`)
    /// and evaluated on every core; the facts (only when those rules read them) and
    /// memberships are read before, the transitions written after, on this thread. `ruleTimes`
    /// is the latest time a rule was evaluated at before this event.
    mutating func reevaluateEveryContact(only: Set<Int>, position: UInt64, ruleTimes: Int64) throws {
        guard !only.isEmpty else { return }
        let reads = only.map { rules.entries[$0].reads }
        let readsFacts = reads.contains { $0.facts }
        let fieldTimes = reads.contains { $0.fieldTimes }
        let contacts = try ContactTables(store).contacts
        var start: [UInt8]? = nil
        var buffer = [UInt8]()
        var slice = [(stream: StreamID, bytes: Range<Int>)]()
        while true {
            buffer.removeAll(keepingCapacity: true)
            slice.removeAll(keepingCapacity: true)
            try transaction.forEach(contacts, from: start) { key, value in
                guard key.count == 8 else { return true }
                if let start, key.elementsEqual(start) { return true }
                let from = buffer.count
                buffer.append(contentsOf: value)
                slice.append((StreamID(SegmentKeys.readBigEndian(key, at: 0)), from..<buffer.count))
                return slice.count < 16_384
            }
            guard let last = slice.last else { break }
            var inputs = [(facts: SegmentFacts, current: [Bool])]()
            inputs.reserveCapacity(slice.count)
            for entry in slice {
                var known = SegmentFacts()
                if readsFacts {
                    if facts[entry.stream] == nil { facts[entry.stream] = try storedFacts(entry.stream) }
                    known = try facts[entry.stream, default: SegmentFacts.emptyEncoding].withUnsafeBytes { try SegmentFacts(decoding: $0, fieldTimes: fieldTimes) }
                }
                inputs.append((known, try membershipOf(entry.stream)))
            }
            let (set, base, bytes, entries, given) = (rules, context, buffer, slice, inputs)
            let decided = try Array(entries.indices).concurrentMap(chunkSize: 1_024) { index -> (updatedAt: Int64, flags: [Bool]) in
                try bytes.withUnsafeBytes { raw in
                    let state = try StoredContactState(UnsafeRawBufferPointer(rebasing: raw[entries[index].bytes]))
                    var context = base
                    return (state.updatedAt, Self.decide(set, current: given[index].current, state: state, facts: given[index].facts, context: &context, only: only, affected: nil))
                }
            }
            for (index, entry) in entries.enumerated() {
                try settle(entry.stream, from: given[index].current, to: decided[index].flags, position: position,
                           fresh: max(decided[index].updatedAt, ruleTimes) < context.now)
            }
            try flushMemberships()
            if dirtyFacts.isEmpty { facts.removeAll(keepingCapacity: true) }
            start = SegmentKeys.stream(last.stream)
        }
    }

    // MARK: Storage

    /// The contact's stored facts (`SegmentFacts.emptyEncoding` when it has none).
    func storedFacts(_ stream: StreamID) throws -> [UInt8] {
        try transaction.get(factsTable, SegmentKeys.stream(stream)) ?? SegmentFacts.emptyEncoding
    }

    /// The contact's membership per rule, in `rules`' order.
    mutating func membershipOf(_ stream: StreamID) throws -> [Bool] {
        if let known = memberships[stream] { return known }
        var flags = [Bool](repeating: false, count: rules.entries.count)
        try transaction.withValue(contactsTable, SegmentKeys.stream(stream)) { bytes in
            guard let bytes else { return }
            // The segments' own stream numbers, 8 bytes each, ascending (`flushMemberships`):
            // walked beside the rules' in the same order. A number below the one before (no
            // writer leaves one) starts the walk again, so any order reads right.
            let byStream = rules.byStream
            var cursor = 0
            var previous: UInt64 = 0
            for offset in stride(from: 0, to: bytes.count - bytes.count % 8, by: 8) {
                let segment = SegmentKeys.readBigEndian(bytes, at: offset)
                if segment < previous { cursor = 0 }
                previous = segment
                while cursor < byStream.count && byStream[cursor].stream < segment { cursor += 1 }
                if cursor < byStream.count && byStream[cursor].stream == segment { flags[byStream[cursor].index] = true }
            }
        }
        memberships[stream] = flags
        return flags
    }

    /// Records a transition in the history and the members table; one that undoes the last
    /// at the same instant removes it instead. `fresh`: the contact has no stored transition at
    /// that instant, so the last is not looked up in the store (a seek on a random page per
    /// transition). Both tables are written by `writePending`, in key order.
    mutating func record(_ transition: SegmentTransition, segment: Int, stream: StreamID, fresh: Bool) throws {
        let member = SegmentPendingWrites.Member(segment: segment, stream: stream)
        var last: SegmentTransition?
        switch pending.latest(of: member) {
        case .transition(let recorded)?:
            last = recorded
        case .noneAtThisInstant?:
            last = nil
        case nil:
            if !fresh {
                let prefix = rules.keyOrder.key(member)
                try transaction.forEach(historyTable, from: prefix) { key, value in
                    guard SegmentKeys.starts(key, with: prefix), key.count == prefix.count + 8 else { return false }
                    last = try SegmentTransition(position: SegmentKeys.readBigEndian(key, at: prefix.count), value: value)
                    return true
                }
            }
        }
        if let last, last.at == transition.at, last.entered != transition.entered {
            pending.cancel(at: last.position, by: transition, member: member)
        } else {
            pending.record(transition, member: member)
        }
    }

    /// Writes the transitions and members held in `pending`.
    mutating func writePending() throws {
        guard !pending.isEmpty else { return }
        try pending.write(history: historyTable, members: membersTable, order: rules.keyOrder, in: transaction)
    }

    mutating func flushMemberships() throws {
        for stream in dirtyMemberships.sorted() {
            guard let flags = memberships[stream] else { continue }
            var bytes = [UInt8]()
            for (segment, index) in rules.byStream where flags[index] {
                withUnsafeBytes(of: segment.bigEndian) { bytes.append(contentsOf: $0) }
            }
            if bytes.isEmpty {
                _ = try transaction.delete(contactsTable, SegmentKeys.stream(stream))
            } else {
                try transaction.put(contactsTable, SegmentKeys.stream(stream), bytes)
            }
        }
        dirtyMemberships.removeAll(keepingCapacity: true)
        memberships.removeAll(keepingCapacity: true)
        try writePending()
    }

    mutating func flush() throws {
        for stream in dirtyFacts.sorted() {
            guard let stored = facts[stream] else { continue }
            if stored == SegmentFacts.emptyEncoding {
                _ = try transaction.delete(factsTable, SegmentKeys.stream(stream))
            } else {
                try transaction.put(factsTable, SegmentKeys.stream(stream), stored)
            }
        }
        dirtyFacts.removeAll(keepingCapacity: true)
        try flushMemberships()
    }
}
