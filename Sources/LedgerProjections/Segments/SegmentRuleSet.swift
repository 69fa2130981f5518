import LedgerDomain

/// Every dynamic segment's current rule, compiled, in dependency order: a segment comes after
/// every dynamic segment its rule names, so one pass over `entries` fills
/// `RuleContext.dynamicMembers` as it goes. A rule in a cycle (refused by `segment define`,
/// so only in a log written by hand) or that no longer reads (a field gone) matches nobody.
public struct SegmentRuleSet: Sendable {
    /// One segment's rule.
    ///
    /// A class: a contact event walks every entry, and copying a struct of this many parts
    /// (names, the rule, two closures, the read sets) retained and released each of them,
    /// 100 entries per event (a fifth of an update's instructions with 100 rules).
    public final class Entry: Sendable {
        /// The segment's name.
        public let name: String
        /// Its stored record.
        public let record: SegmentRuleRecord
        /// The rule, when it reads.
        public let rule: SegmentRule?
        /// The compiled test (index order as in `entries`).
        public let compiled: CompiledRule
        /// What the rule reads.
        public let reads: RuleReads
        /// The dynamic segments it names, by index in `entries` (all before it).
        public let dependsOn: [Int]

        init(name: String, record: SegmentRuleRecord, rule: SegmentRule?, compiled: CompiledRule, reads: RuleReads, dependsOn: [Int]) {
            self.name = name
            self.record = record
            self.rule = rule
            self.compiled = compiled
            self.reads = reads
            self.dependsOn = dependsOn
        }
    }

    /// The rules in dependency order.
    public let entries: [Entry]
    /// Each segment's index in `entries`.
    public let index: [String: Int]
    /// Each segment's index in `entries`, by its stream's number.
    public let indexByStream: [UInt64: Int]
    /// The rules by what they read.
    let readers: RuleReaders
    /// The segments' stored keys and their order.
    let keyOrder: SegmentKeyOrder
    /// The rules' segment stream numbers (what `segment-contacts` lists, ascending) in
    /// ascending order, each with its rule's index: a contact's list is read and written by
    /// walking beside it, with no look-up or sort.
    let byStream: [(stream: UInt64, index: Int)]
    /// Per rule, whether it names a dynamic segment (so a move in that one can change it).
    let namesDynamic: [Bool]

    /// Orders and compiles `records`; `fieldTypes` are the declared custom fields.
    public init(_ records: [String: SegmentRuleRecord], fieldTypes: [String: FieldType]) {
        var parsed = [String: SegmentRule]()
        for (name, record) in records {
            parsed[name] = try? SegmentRule(json: Array(record.rule.utf8), fieldTypes: fieldTypes)
        }
        let order = Self.dependencyOrder(parsed.mapValues(\.segmentsNamed), among: Set(records.keys))
        var index = [String: Int]()
        for (position, name) in order.enumerated() { index[name] = position }
        var entries = [Entry]()
        for name in order {
            guard let record = records[name] else { continue }
            let rule = parsed[name]
            // A rule that does not read matches nobody.
            let compiled = CompiledRule(rule ?? .any([]), dynamic: index)
            let dependsOn = (rule?.segmentsNamed ?? []).compactMap { index[$0] }.sorted()
            entries.append(Entry(name: name, record: record, rule: rule, compiled: compiled, reads: RuleReads(rule ?? .any([])), dependsOn: dependsOn))
        }
        // Segments in a cycle were left out of `order`: they are listed last, matching nobody.
        for name in records.keys.sorted() where index[name] == nil {
            guard let record = records[name] else { continue }
            index[name] = entries.count
            entries.append(Entry(name: name, record: record, rule: parsed[name], compiled: CompiledRule(.any([])), reads: RuleReads(.any([])), dependsOn: []))
        }
        self.entries = entries
        self.index = index
        indexByStream = Dictionary(entries.enumerated().map { ($0.element.record.stream.rawValue, $0.offset) }, uniquingKeysWith: { first, _ in first })
        readers = RuleReaders(entries.map(\.reads))
        keyOrder = SegmentKeyOrder(entries.map(\.name))
        byStream = entries.enumerated().map { ($0.element.record.stream.rawValue, $0.offset) }.sorted { $0.stream < $1.stream }
        namesDynamic = entries.map { !$0.dependsOn.isEmpty }
    }

    /// Whether the rules a contact event may re-evaluate (those `affected` marks, and those
    /// naming a dynamic segment, which may have moved) read the facts, and the times of
    /// field changes: the facts are decoded only as far as they do.
    func factsRead(affected: [Bool]) -> (facts: Bool, fieldTimes: Bool) {
        var facts = false
        var fieldTimes = false
        for index in affected.indices where affected[index] || namesDynamic[index] {
            facts = facts || readers.readsFacts[index]
            fieldTimes = fieldTimes || readers.readsFieldTimes[index]
        }
        return (facts, fieldTimes)
    }

    /// Names in an order where each comes after the dynamic segments it depends on (those in
    /// `among`); names in a cycle, or depending on one, are left out.
    static func dependencyOrder(_ dependencies: [String: Set<String>], among: Set<String>) -> [String] {
        var order = [String]()
        var state = [String: Int]()  // 1 visiting, 2 done, 3 cyclic
        func visit(_ name: String) -> Bool {
            switch state[name] {
            case 2: return true
            case 1, 3: return false
            default: break
            }
            state[name] = 1
            for dependency in (dependencies[name] ?? []).sorted() where among.contains(dependency) {
                if !visit(dependency) {
                    state[name] = 3
                    return false
                }
            }
            state[name] = 2
            order.append(name)
            return true
        }
        for name in among.sorted() { _ = visit(name) }
        return order
    }

    /// The cycle `rule` would close if it were `name`'s, given the other segments' rules, as
    /// the names around it (`a → b → a`); nil when there is none.
    public static func cycle(defining name: String, as rule: SegmentRule, others: [String: SegmentRule]) -> [String]? {
        var dependencies = others.mapValues(\.segmentsNamed)
        dependencies[name] = rule.segmentsNamed
        var path = [String]()
        var seen = Set<String>()
        func walk(_ current: String) -> [String]? {
            if current == name && !path.isEmpty { return path + [name] }
            guard seen.insert(current).inserted || current == name else { return nil }
            path.append(current)
            defer { path.removeLast() }
            for next in (dependencies[current] ?? []).sorted() where dependencies[next] != nil {
                if let found = walk(next) { return found }
            }
            return nil
        }
        return walk(name)
    }

    /// The segments whose membership depends on `names`' (them included), in dependency order.
    public func dependents(of names: Set<String>) -> [Int] {
        var affected = names
        var result = [Int]()
        for (position, entry) in entries.enumerated() {
            if affected.contains(entry.name) || !(entry.rule?.segmentsNamed ?? []).isDisjoint(with: affected) {
                affected.insert(entry.name)
                result.append(position)
            }
        }
        return result
    }
}
