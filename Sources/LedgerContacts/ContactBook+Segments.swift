import Foundation
import LedgerDomain
import LedgerProjections
import LedgerStore

/// What `defineSegment` did.
public struct SegmentDefinition: Sendable, Hashable {
    /// The rule's version now.
    public var version: UInt64
    /// Whether the rule was the current one already (nothing was recorded).
    public var unchanged: Bool
}

extension ContactBook {
    /// Records a dynamic segment's rule: a new segment, or a new version when it differs from
    /// the current one. The rule is read (errors name its JSON path), and a rule naming
    /// segments that would lead back to this one is refused, naming the cycle. Once the
    /// projection has folded it, who entered and who left is recorded after it
    /// (`recordSegmentChanges`).
    public func defineSegment(_ name: String, rule json: [UInt8], actor: Actor, source: Source) throws -> SegmentDefinition {
        if let problem = SegmentName.problem(name) { throw ContactError(.invalidRequest, "segment \(problem)") }
        return try exclusive {
            let contacts = try directory()
            let segments = SegmentDirectory(store: contacts.store)
            let rule = try parse(json, fieldTypes: try contacts.fieldTypes())
            let records = try segments.rules()
            var others = [String: SegmentRule]()
            let types = try contacts.fieldTypes()
            for (other, record) in records where other != name {
                others[other] = try? SegmentRule(json: Array(record.rule.utf8), fieldTypes: types)
            }
            if let cycle = SegmentRuleSet.cycle(defining: name, as: rule, others: others) {
                throw ContactError(.invalidRequest, "segment \(name) would depend on itself: \(cycle.joined(separator: " → "))")
            }
            try recordSegmentChanges(actor: actor, source: source)
            let canonical = try Self.canonicalJSON(json)
            let current = records[name]
            if let current, current.rule == canonical { return SegmentDefinition(version: current.version, unchanged: true) }
            let version = (current?.version ?? 0) + 1
            let event = SegmentEvent.ruleDefined(SegmentRuleDefined(segment: name, version: version, rule: canonical))
            let target: AppendRequest.Target = current.map { .existing($0.stream) } ?? .newIn(.segment)
            let expected: ExpectedVersion = try current.map { .exact(try ledger.version(of: $0.stream)) } ?? .noStream
            _ = try ledger.append(AppendRequest(target: target, expected: expected, events: [event.newEvent(actor: actor, source: source)]))
            projectCommitted { try runner.catchUp(store: store) }
            projectCommitted { try recordSegmentChanges(actor: actor, source: source) }
            return SegmentDefinition(version: version, unchanged: false)
        }
    }

    /// Re-evaluates every dynamic segment whose rule reads the clock (the last N days,
    /// birthdays, ages), for every contact, now: one `segment.refreshed` per such segment.
    /// Segments whose rules do not read the clock are left alone; who entered and who left is
    /// recorded after each refresh (`recordSegmentChanges`). Returns the names refreshed.
    public func refreshSegments(actor: Actor, source: Source) throws -> [String] {
        try exclusive {
            try recordSegmentChanges(actor: actor, source: source)
            let contacts = try directory()
            let set = try SegmentDirectory(store: contacts.store).ruleSet()
            var requests = [AppendRequest]()
            var names = [String]()
            for entry in set.entries where entry.rule?.readsClock == true {
                let event = SegmentEvent.refreshed(SegmentRefreshed(segment: entry.name, version: entry.record.version))
                requests.append(AppendRequest(target: .existing(entry.record.stream), events: [event.newEvent(actor: actor, source: source)]))
                names.append(entry.name)
            }
            guard !requests.isEmpty else { return [] }
            _ = try ledger.append(requests)
            projectCommitted { try runner.catchUp(store: store) }
            projectCommitted { try recordSegmentChanges(actor: actor, source: source) }
            return names
        }
    }

    /// Adds contacts to a static segment (`member`) or removes them, in one transaction; a
    /// contact already so is left alone. Returns how many changed. A dynamic segment's
    /// members follow its rule and cannot be set by hand.
    public func setStaticMembership(_ ids: [StreamID], segment: String, member: Bool, actor: Actor, source: Source) throws -> Int {
        let event: ContactEvent = member ? .segmentMemberAdded(SegmentMembership(segment: segment)) : .segmentMemberRemoved(SegmentMembership(segment: segment))
        do {
            try ContactFieldRules().validate(event)
        } catch {
            throw ContactError(.invalidField, "\(error)", cause: error)
        }
        return try exclusive {
            let contacts = try directory()
            if try SegmentDirectory(store: contacts.store).rules()[segment] != nil {
                throw ContactError(.invalidRequest, "\(segment) is a dynamic segment: its members follow its rule (ledger segment define)")
            }
            var requests = [AppendRequest]()
            for id in Set(ids).sorted() {
                guard let state = try contacts.contact(id), !state.erased, state.mergedInto == nil else {
                    throw ContactError(.notFound, "contact \(id) does not exist, was erased or was merged into another")
                }
                guard state.segments.contains(segment) != member else { continue }
                let version = try ledger.version(of: id)
                requests.append(AppendRequest(target: .existing(id), expected: .exact(version), events: [event.newEvent(actor: actor, source: source)]))
            }
            guard !requests.isEmpty else { return 0 }
            _ = try ledger.append(try sealed(requests, keys: ledger.keyRing()))
            projectCommitted { try runner.catchUp(store: store) }
            return requests.count
        }
    }

    /// Reads a rule document against the declared fields; a fault names its JSON path.
    public func parse(_ json: [UInt8], fieldTypes: [String: FieldType]) throws -> SegmentRule {
        do {
            return try SegmentRule(json: json, fieldTypes: fieldTypes)
        } catch {
            throw ContactError(.invalidField, "rule \(error)")
        }
    }

    /// The rule document as stored: keys sorted, no white space.
    static func canonicalJSON(_ json: [UInt8]) throws -> String {
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(json))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
