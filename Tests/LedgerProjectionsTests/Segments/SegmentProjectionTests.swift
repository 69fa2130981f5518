import Foundation
import LedgerDomain
@testable import LedgerProjections
import LedgerStore
import Testing

@Suite("The segment projection", .serialized)
struct SegmentProjectionTests {
    /// A ledger with the tests' custom fields declared.
    static func ledgerWithFields() throws -> (Ledger, () -> Void) {
        let (ledger, remove) = try ContactProjectionTests.temporaryLedger()
        let definitions = ruleFieldTypes.keys.sorted().compactMap { name in
            ruleFieldTypes[name].map { ContactEvent.fieldDefined(FieldDefined(name: name, type: $0)).newEvent(actor: Actor(.user, "test"), source: .cli(command: "field define")) }
        }
        _ = try ledger.append(AppendRequest(target: .newIn(.schema), events: definitions))
        return (ledger, remove)
    }

    /// Appends a rule for `segment` (a new version of it when it has a stream).
    @discardableResult
    static func define(_ ledger: Ledger, _ segment: String, _ rule: String, stream: StreamID? = nil, version: UInt64 = 1) throws -> StreamID {
        let event = SegmentEvent.ruleDefined(SegmentRuleDefined(segment: segment, version: version, rule: rule))
        let target: AppendRequest.Target = stream.map { .existing($0) } ?? .newIn(.segment)
        return try ledger.append(AppendRequest(target: target, events: [event.newEvent(actor: Actor(.user, "test"), source: .cli(command: "segment define"))])).stream
    }

    static func append(_ ledger: Ledger, _ stream: StreamID?, _ events: [ContactEvent], source: Source = .cli(command: "test"), actor: Actor = Actor(.user, "test")) throws -> StreamID {
        let newEvents = events.map { $0.newEvent(actor: actor, source: source) }
        let target: AppendRequest.Target = stream.map { .existing($0) } ?? .new
        return try ledger.append(AppendRequest(target: target, events: newEvents)).stream
    }

    static func setTier(_ tier: String?) -> ContactEvent {
        .contactFieldsChanged(ContactFieldsChanged(changes: [FieldChange(field: .custom("tier"), from: nil, to: tier.map(FieldValue.text))]))
    }

    @Test func membersFollowContactEventsAndRuleVersions() throws {
        let (ledger, remove) = try Self.ledgerWithFields()
        defer { remove() }
        let runner = ProjectionRunner(ledger: ledger, projection: ContactProjection(ledger: ledger))
        let store = try runner.openStore()
        defer { store.close() }
        let gold = try Self.append(ledger, nil, [Events.created(), Self.setTier("gold")])
        let silver = try Self.append(ledger, nil, [Events.created(), Self.setTier("silver")])
        try runner.catchUp(store: store)
        let directory = SegmentDirectory(store: store)
        #expect(try !directory.isActive(), "dormant until a rule is defined")
        #expect(try store.read { try $0.count(try store.table("segment-facts")) } == 0)

        let segment = try Self.define(ledger, "gold", #"{"field": "tier", "op": "=", "value": "gold"}"#)
        try runner.catchUp(store: store)
        #expect(try directory.isActive())
        #expect(try directory.members("gold").map(\.stream) == [gold])
        #expect(try directory.facts(of: gold).createdBy == Actor(.user, "test"), "facts read from the log on waking")

        // A contact event moves a contact in; the rule's new version re-evaluates everyone.
        _ = try Self.append(ledger, silver, [Self.setTier("gold")])
        try runner.catchUp(store: store)
        #expect(try directory.members("gold").map(\.stream) == [gold, silver])
        try Self.define(ledger, "gold", #"{"field": "tier", "op": "in", "value": ["silver"]}"#, stream: segment, version: 2)
        try runner.catchUp(store: store)
        #expect(try directory.members("gold").isEmpty)
        let history = try directory.history("gold", of: silver)
        #expect(history.map(\.entered) == [true, false])
        #expect(history.map(\.version) == [1, 2])

        // Erasure: the contact leaves, and its history holds no value of it.
        _ = try Self.append(ledger, gold, [.contactErased(ContactErased(reason: "gdpr"))])
        try Self.define(ledger, "gold", #"{"all": []}"#, stream: segment, version: 3)
        try runner.catchUp(store: store)
        #expect(try directory.members("gold").map(\.stream) == [silver])
        #expect(try directory.facts(of: gold).isEmpty)
        #expect(try directory.segments(of: gold).isEmpty)

        // The catalogue's check compares the segment tables with a rebuild.
        let report = try #require(ProjectionCatalog.named("contacts")).check(ledger)
        #expect(report.isValid, "\(report.differences)")
    }

    @Test func membersAtATimeComeFromTheHistory() throws {
        let (ledger, remove) = try Self.ledgerWithFields()
        defer { remove() }
        let runner = ProjectionRunner(ledger: ledger, projection: ContactProjection(ledger: ledger))
        let store = try runner.openStore()
        defer { store.close() }
        try Self.define(ledger, "gold", #"{"field": "tier", "op": "=", "value": "gold"}"#)
        let first = try Self.append(ledger, nil, [Events.created(), Self.setTier("gold")])
        try runner.catchUp(store: store)
        let entered = try #require(try SegmentDirectory(store: store).history("gold", of: first).first?.at)
        _ = try Self.append(ledger, first, [Self.setTier("bronze")])
        try runner.catchUp(store: store)
        let directory = SegmentDirectory(store: store)
        #expect(try directory.members("gold", at: entered) == [first])
        #expect(try directory.members("gold", at: entered - 1).isEmpty)
        #expect(try directory.members("gold", at: .max).isEmpty)
    }

    @Test func segmentsNamingSegmentsFollowThem() throws {
        let (ledger, remove) = try Self.ledgerWithFields()
        defer { remove() }
        let runner = ProjectionRunner(ledger: ledger, projection: ContactProjection(ledger: ledger))
        let store = try runner.openStore()
        defer { store.close() }
        let contact = try Self.append(ledger, nil, [Events.created(), Self.setTier("gold"), Events.added(.email, "a@example.com")])
        // The dependent is defined first: it names a segment with no rule yet (a static one).
        try Self.define(ledger, "reachable-gold", #"{"all": [{"segment": "gold"}, {"has": "email"}]}"#)
        try runner.catchUp(store: store)
        #expect(try SegmentDirectory(store: store).members("reachable-gold").isEmpty)
        let gold = try Self.define(ledger, "gold", #"{"field": "tier", "op": "=", "value": "gold"}"#)
        try runner.catchUp(store: store)
        #expect(try SegmentDirectory(store: store).members("reachable-gold").map(\.stream) == [contact])
        try Self.define(ledger, "gold", #"{"field": "tier", "op": "=", "value": "platinum"}"#, stream: gold, version: 2)
        try runner.catchUp(store: store)
        #expect(try SegmentDirectory(store: store).members("reachable-gold").isEmpty)
    }

    @Test func cyclesAreFoundBeforeTheyAreDefined() throws {
        let a = try parseRule(#"{"segment": "b"}"#)
        let b = try parseRule(#"{"any": [{"segment": "c"}, {"has": "email"}]}"#)
        let c = try parseRule(#"{"not": {"segment": "a"}}"#)
        #expect(SegmentRuleSet.cycle(defining: "a", as: a, others: ["b": b, "c": c]) == ["a", "b", "c", "a"])
        #expect(SegmentRuleSet.cycle(defining: "a", as: a, others: ["b": b]) == nil)
        #expect(SegmentRuleSet.cycle(defining: "self", as: try parseRule(#"{"segment": "self"}"#), others: [:]) == ["self", "self"])
        // In a log written by hand, a cycle's segments match nobody and the rest still order.
        let set = SegmentRuleSet([
            "a": SegmentRuleRecord(stream: StreamID(1), version: 1, position: 1, definedAt: 0, evaluatedAt: 0, rule: #"{"segment": "b"}"#),
            "b": SegmentRuleRecord(stream: StreamID(2), version: 1, position: 2, definedAt: 0, evaluatedAt: 0, rule: #"{"segment": "a"}"#),
            "c": SegmentRuleRecord(stream: StreamID(3), version: 1, position: 3, definedAt: 0, evaluatedAt: 0, rule: #"{"all": []}"#),
        ], fieldTypes: [:])
        #expect(set.entries.first?.name == "c")
        #expect(set.entries.count == 3)
    }

    /// Rules the property test defines: none reads the clock, so a full evaluation at any time
    /// must agree with the incremental one.
    static let propertyRules = [
        #"{"field": "tier", "op": "in", "value": ["gold", "platinum"]}"#,
        #"{"any": [{"has": "phone"}, {"consent": {"channel": "email", "status": "subscribed"}}]}"#,
        #"{"all": [{"segment": "rule-0"}, {"not": {"segment": "static-1"}}]}"#,
        #"{"history": {"event": "last-changed", "via": "file"}}"#,
        #"{"not": {"history": {"event": "field-changed", "field": "tier", "since": "2000-01-01"}}}"#,
    ]

    @Test("incremental membership equals a full evaluation at every point", arguments: [11, 12, 13] as [UInt64])
    func incrementalEqualsFullEvaluation(seed: UInt64) throws {
        let (ledger, remove) = try Self.ledgerWithFields()
        defer { remove() }
        var random = SeededGenerator(seed: seed)
        let runner = ProjectionRunner(ledger: ledger, projection: ContactProjection(ledger: ledger), batchSize: Int.random(in: 1...9, using: &random))
        let store = try runner.openStore()
        defer { store.close() }
        var streams = [StreamID]()
        var segmentStreams = [String: (StreamID, UInt64)]()
        var cuts = [(Int64, [String: [StreamID]])]()
        for step in 0..<120 {
            let roll = Int.random(in: 0..<20, using: &random)
            if roll == 0 || (step == 3) {
                let name = "rule-\(Int.random(in: 0..<3, using: &random))"
                let rule = Self.propertyRules[Int.random(in: 0..<Self.propertyRules.count, using: &random)]
                // rule-0 may not name itself: the property rules' segment rule names rule-0.
                guard !(name == "rule-0" && rule.contains("rule-0")) else { continue }
                let known = segmentStreams[name]
                let stream = try Self.define(ledger, name, rule, stream: known?.0, version: (known?.1 ?? 0) + 1)
                segmentStreams[name] = (stream, (known?.1 ?? 0) + 1)
            } else if streams.isEmpty || roll < 4 {
                streams.append(try Self.append(ledger, nil, [Events.created(), Self.setTier(["gold", "silver", nil][Int.random(in: 0..<3, using: &random)])],
                                               source: roll % 2 == 0 ? .cli(command: "add") : .file(name: "f.csv", sha256: .zero, row: UInt64(step))))
            } else {
                let stream = streams[Int.random(in: 0..<streams.count, using: &random)]
                _ = try Self.append(ledger, stream, [Self.randomEvent(step: step, &random)], source: step % 3 == 0 ? .file(name: "g.csv", sha256: .zero, row: 1) : .api(key: "k", requestID: "r\(step)"))
            }
            try runner.catchUp(store: store)
            if let expected = try Self.expectFullEvaluationAgrees(ledger: ledger, store: store, step: step) {
                cuts.append((try ledger.event(at: try ledger.lastPosition())?.recordedAt ?? 0, expected))
            }
        }
        // Membership as of each step's time, read from the history, equals the evaluation of
        // the ledger cut there; contacts erased since are left out (their history went with
        // their values, decision 0018).
        let directory = SegmentDirectory(store: store)
        var erased = Set<StreamID>()
        try ContactDirectory(store: store).forEach { if $0.erased { erased.insert($0.id) } }
        for (time, expected) in cuts {
            for (segment, members) in expected {
                let past = try directory.members(segment, at: time).filter { !erased.contains($0) }
                #expect(past == members.filter { !erased.contains($0) }, "segment \(segment) at \(time)")
            }
        }
        let report = try #require(ProjectionCatalog.named("contacts")).check(ledger)
        #expect(report.isValid, "a rebuild differs: \(report.differences)")
    }

    /// One of the property tests' contact events on an existing contact.
    static func randomEvent(step: Int, _ random: inout SeededGenerator) -> ContactEvent {
        switch Int.random(in: 0..<7, using: &random) {
        case 0: setTier(["gold", "platinum", "bronze", nil][Int.random(in: 0..<4, using: &random)])
        case 1: Events.added(.phone, "+38067\(1_000_000 + step)")
        case 2: .consentGranted(ConsentGranted(scope: ConsentScope(channel: .email, purpose: "news"), method: .import, status: .subscribed, wordingVersion: "v1"))
        case 3: .consentWithdrawn(ConsentWithdrawn(scope: ConsentScope(channel: .email, purpose: "news"), method: .unsubscribeLink, wordingVersion: "v1", reason: nil))
        case 4: .segmentMemberAdded(SegmentMembership(segment: "static-\(Int.random(in: 0..<2, using: &random))"))
        case 5: Int.random(in: 0..<6, using: &random) == 0 ? .contactErased(ContactErased(reason: "request")) : .segmentMemberRemoved(SegmentMembership(segment: "static-1"))
        default: Events.set(.standard(.firstName), .text("N\(step)"))
        }
    }

    /// Every entry of every table of the contact projection's store (contacts and segments).
    static func tableEntries(_ store: ProjectionStore) throws -> [String: [[UInt8]]] {
        try store.read { transaction in
            var tables = [String: [[UInt8]]]()
            for name in ContactProjection.tables {
                var entries = [[UInt8]]()
                try transaction.forEach(try store.table(name)) { key, value in
                    entries.append(Array(key) + [0xFF] + Array(value))
                    return true
                }
                tables[name] = entries
            }
            return tables
        }
    }

    @Test("a rebuild with segments defined equals the incremental fold (the log before the first rule folded in parallel)", arguments: [21, 22, 23] as [UInt64])
    func rebuildEqualsIncremental(seed: UInt64) throws {
        let (ledger, remove) = try Self.ledgerWithFields()
        defer { remove() }
        var random = SeededGenerator(seed: seed)
        let runner = ProjectionRunner(ledger: ledger, projection: ContactProjection(ledger: ledger), batchSize: Int.random(in: 1...9, using: &random))
        let store = try runner.openStore()
        var streams = [StreamID]()
        for index in 0..<30 {
            streams.append(try Self.append(ledger, nil, [Events.created(), Self.setTier(["gold", "silver", nil][index % 3]), Events.added(.email, "c\(index)@example.com")],
                                           source: index % 2 == 0 ? .file(name: "f.csv", sha256: .zero, row: UInt64(index)) : .cli(command: "add")))
        }
        for step in 0..<20 {
            _ = try Self.append(ledger, streams[Int.random(in: 0..<streams.count, using: &random)], [Self.randomEvent(step: step, &random)])
        }
        try runner.catchUp(store: store)
        var firstRule: UInt64?
        var segmentStreams = [String: (StreamID, UInt64)]()
        for step in 20..<100 {
            if firstRule == nil || Int.random(in: 0..<12, using: &random) == 0 {
                let name = "rule-\(Int.random(in: 0..<3, using: &random))"
                let rule = Self.propertyRules[Int.random(in: 0..<Self.propertyRules.count, using: &random)]
                guard !(name == "rule-0" && rule.contains("rule-0")) else { continue }
                let known = segmentStreams[name]
                segmentStreams[name] = (try Self.define(ledger, name, rule, stream: known?.0, version: (known?.1 ?? 0) + 1), (known?.1 ?? 0) + 1)
                if firstRule == nil { firstRule = try ledger.lastPosition() }
            } else if Int.random(in: 0..<5, using: &random) == 0 {
                streams.append(try Self.append(ledger, nil, [Events.created(), Self.setTier("gold")]))
            } else {
                _ = try Self.append(ledger, streams[Int.random(in: 0..<streams.count, using: &random)], [Self.randomEvent(step: step, &random)],
                                    source: step % 3 == 0 ? .file(name: "g.csv", sha256: .zero, row: 1) : .api(key: "k", requestID: "r\(step)"))
            }
            if Int.random(in: 0..<3, using: &random) == 0 { try runner.catchUp(store: store) }
        }
        try runner.catchUp(store: store)
        #expect(try SegmentProjection().wakingPosition(in: ledger) == firstRule)
        let live = try Self.tableEntries(store)
        #expect(!(live["segment-history"] ?? []).isEmpty)
        store.close()
        try runner.rebuild()
        let rebuilt = try runner.openStore()
        defer { rebuilt.close() }
        let fresh = try Self.tableEntries(rebuilt)
        for name in ContactProjection.tables {
            #expect(fresh[name] == live[name], "seed \(seed): table \(name) differs after a rebuild (\(fresh[name]?.count ?? 0) entries, \(live[name]?.count ?? 0) live)")
        }
    }

    @Test("a transition undone at the same instant leaves no history, whether the first was written in an earlier transaction or not", arguments: [1, 10])
    func sameInstantTransitionsCancel(batchSize: Int) throws {
        let (ledger, remove) = try Self.ledgerWithFields()
        defer { remove() }
        let runner = ProjectionRunner(ledger: ledger, projection: ContactProjection(ledger: ledger), batchSize: batchSize)
        let store = try runner.openStore()
        defer { store.close() }
        try Self.define(ledger, "gold", #"{"field": "tier", "op": "=", "value": "gold"}"#)
        // One append: one instant. In and out again, and in, out and in again.
        let brief = try Self.append(ledger, nil, [Events.created(), Self.setTier("gold"), Self.setTier("silver")])
        let back = try Self.append(ledger, nil, [Events.created(), Self.setTier("gold"), Self.setTier("silver"), Self.setTier("gold")])
        try runner.catchUp(store: store)
        let directory = SegmentDirectory(store: store)
        #expect(try directory.history("gold", of: brief).isEmpty)
        #expect(try directory.history("gold", of: back).map(\.entered) == [true])
        #expect(try directory.members("gold").map(\.stream) == [back])
        _ = try Self.append(ledger, brief, [Self.setTier("gold")])
        _ = try Self.append(ledger, back, [Self.setTier("silver"), Self.setTier("gold")])
        try runner.catchUp(store: store)
        #expect(try directory.history("gold", of: brief).map(\.entered) == [true])
        #expect(try directory.history("gold", of: back).map(\.entered) == [true], "left and entered again at one instant: both dropped")
        #expect(try directory.members("gold").map(\.stream) == [brief, back])
        let report = try #require(ProjectionCatalog.named("contacts")).check(ledger)
        #expect(report.isValid, "\(report.differences)")
    }

    @Test("facts left unwritten when an event moved none of them, then a rule reading them: the rebuild's answer")
    func ruleAfterSkippedFactsWrites() throws {
        let (ledger, remove) = try Self.ledgerWithFields()
        defer { remove() }
        // One event per transaction, so a transaction's only event may leave the facts as they were.
        let runner = ProjectionRunner(ledger: ledger, projection: ContactProjection(ledger: ledger), batchSize: 1)
        let store = try runner.openStore()
        defer { store.close() }
        try Self.define(ledger, "gold", #"{"field": "tier", "op": "=", "value": "gold"}"#)
        let csv = Source.file(name: "f.csv", sha256: .zero, row: 1)
        let imported = try Self.append(ledger, nil, [Events.created(), Self.setTier("gold")], source: csv)
        let typed = try Self.append(ledger, nil, [Events.created(), Self.setTier("silver")], source: .cli(command: "add"))
        try runner.catchUp(store: store)
        let directory = SegmentDirectory(store: store)
        let factsBefore = try directory.facts(of: typed)
        // Same kind of source, no field, no import: nothing of the facts moves.
        _ = try Self.append(ledger, typed, [Events.added(.email, "t@example.com"), .segmentMemberAdded(SegmentMembership(segment: "static-1"))], source: .cli(command: "add"))
        // The same file again (its time written over in place), then another file.
        _ = try Self.append(ledger, imported, [Self.setTier("gold")], source: csv)
        _ = try Self.append(ledger, imported, [Events.added(.phone, "+380441234567")], source: .file(name: "g.csv", sha256: .zero, row: 2))
        try runner.catchUp(store: store)
        #expect(try directory.facts(of: typed) == factsBefore)
        #expect(try directory.facts(of: imported).lastImportFile == "g.csv")

        try Self.define(ledger, "typed", #"{"all": [{"history": {"event": "last-changed", "via": "cli"}}, {"history": {"event": "field-changed", "field": "tier", "since": "2000-01-01"}}]}"#)
        try Self.define(ledger, "from-f", #"{"history": {"event": "imported", "file": "f.csv", "withinDays": 3650}}"#)
        try Self.define(ledger, "from-g", #"{"history": {"event": "imported", "file": "g.csv", "withinDays": 3650}}"#)
        try runner.catchUp(store: store)
        #expect(try directory.members("typed").map(\.stream) == [typed])
        #expect(try directory.members("from-f").isEmpty)
        #expect(try directory.members("from-g").map(\.stream) == [imported])
        let report = try #require(ProjectionCatalog.named("contacts")).check(ledger)
        #expect(report.isValid, "a rebuild differs: \(report.differences)")
    }

    /// Every rule evaluated over every contact, with facts folded here from each stream's
    /// events, matches the projection's members.
    @discardableResult
    static func expectFullEvaluationAgrees(ledger: Ledger, store: ProjectionStore, step: Int) throws -> [String: [StreamID]]? {
        let directory = SegmentDirectory(store: store)
        guard try directory.isActive() else { return nil }
        let set = try directory.ruleSet()
        var context = RuleContext(now: 0, segments: set.entries.count)
        var expected = [String: [StreamID]]()
        try ContactDirectory(store: store).forEach { state in
            var facts = SegmentFacts()
            var ended = false
            for event in try ledger.readStream(state.id) {
                guard !ended, let contactEvent = try LedgerEvent(decoding: event).contactEvent else { continue }
                facts.record(contactEvent, envelope: FactEnvelope(event))
                if case .contactErased = contactEvent { ended = true }
            }
            for (index, entry) in set.entries.enumerated() {
                let member = entry.compiled.matches(state, facts: facts, context: context)
                context.dynamicMembers[index] = member
                if member { expected[entry.name, default: []].append(state.id) }
            }
        }
        for entry in set.entries {
            let actual = try directory.members(entry.name).map(\.stream)
            #expect(actual == (expected[entry.name] ?? []), "step \(step), segment \(entry.name)")
        }
        return Dictionary(uniqueKeysWithValues: set.entries.map { ($0.name, expected[$0.name] ?? []) })
    }

    @Test func aDiffEqualsTwoEvaluationsAndWhatTheNewVersionDoes() throws {
        let (ledger, remove) = try Self.ledgerWithFields()
        defer { remove() }
        let runner = ProjectionRunner(ledger: ledger, projection: ContactProjection(ledger: ledger))
        let store = try runner.openStore()
        defer { store.close() }
        for (index, tier) in ["gold", "silver", "gold", "bronze", "platinum"].enumerated() {
            var events = [Events.created(), Self.setTier(tier)]
            if index % 2 == 0 { events.append(Events.added(.email, "c\(index)@example.com")) }
            _ = try Self.append(ledger, nil, events)
        }
        let first = #"{"field": "tier", "op": "in", "value": ["gold", "silver"]}"#
        let second = #"{"all": [{"field": "tier", "op": "!=", "value": "silver"}, {"has": "email"}]}"#
        let stream = try Self.define(ledger, "s", first)
        try runner.catchUp(store: store)
        let directory = SegmentDirectory(store: store)
        let rules = try [first, second].map { try parseRule($0) }
        let both = try directory.evaluate(rules, now: ruleNow)
        #expect(both == [try directory.evaluate(rules[0], now: ruleNow), try directory.evaluate(rules[1], now: ruleNow)])
        #expect(both[0] == (try directory.members("s").map(\.stream)))
        let entering = Set(both[1]).subtracting(both[0])
        let leaving = Set(both[0]).subtracting(both[1])
        #expect(!entering.isEmpty && !leaving.isEmpty)
        try Self.define(ledger, "s", second, stream: stream, version: 2)
        try runner.catchUp(store: store)
        let position = try ledger.lastPosition()
        var entered = Set<StreamID>()
        var left = Set<StreamID>()
        try ContactDirectory(store: store).forEach { state in
            for transition in try directory.history("s", of: state.id) where transition.position == position {
                if transition.entered { entered.insert(state.id) } else { left.insert(state.id) }
                #expect(transition.version == 2)
            }
        }
        #expect(entered == entering)
        #expect(left == leaving)
    }
}
