import Foundation
import LedgerDomain
import LedgerProjections
import LedgerStore

/// The segments suite (issue 17), on a ledger of `--events N` / 4 contacts (default
/// 1,000,000 contacts, 4 events each):
/// - `segments.evaluate`: a 10-condition rule over every contact of the projection (each
///   state read and decoded from the store, its facts beside it), and the evaluation alone
///   over states held in memory, per contact;
/// - `segments.define`: the first rule's definition caught up (the projection wakes: it reads
///   the log once for the facts, then evaluates every contact);
/// - `segments.diff`: two rules evaluated over every contact in one pass (`segment diff`);
/// - `segments.members-at`: one segment's members at a past time, from its history;
/// - `segments.incremental`: a followed contact update with 100 dynamic segments defined,
///   per event, beside the same updates with no segment defined (the feed dormant), on
///   20,000 contacts (defining 100 rules evaluates each over every contact), or `--events N`
///   / 4 when that is fewer: as many updates as contacts. The updates are applied by
///   `followUpdates`, which a profiler can single out
///   (`valgrind --tool=callgrind --toggle-collect='*followUpdates*'`).
/// `--only evaluate|incremental` runs one part.
struct SegmentsSuite {
    let options: BenchOptions

    static let tenConditions = #"""
        {"all": [
          {"field": "firstName", "op": "in", "value": ["Olena", "Taras", "Maria", "Ivan", "Sofia", "Andriy", "Anna", "Petro"]},
          {"field": "lastName", "op": "!=", "value": "Moroz"},
          {"field": "email", "op": "contains", "value": "example"},
          {"has": "phone"},
          {"not": {"field": "lastName", "op": "startsWith", "value": "Z"}},
          {"field": "createdAt", "op": "withinLastDays", "value": 3650},
          {"history": {"event": "created", "actor": "user:bench"}},
          {"history": {"event": "last-changed", "via": "file"}},
          {"consent": {"channel": "sms", "status": "unsubscribed"}},
          {"field": "phone", "op": "startsWith", "value": "+447"}
        ]}
        """#

    static let changed = #"{"all": [{"field": "firstName", "op": "in", "value": ["Olena", "Taras", "Maria"]}, {"has": "email"}]}"#

    func run() throws {
        let parts = options.only.map { [$0] } ?? ["evaluate", "incremental"]
        if parts.contains("evaluate") { try evaluate() }
        if parts.contains("incremental") { try incremental() }
    }

    private func evaluate() throws {
        let contacts = max(1, (options.eventsFlag ?? 4_000_000) / 4)
        let directory = options.directory + "-segments"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ledger = try SyntheticContacts.buildLedger(directory: directory, contacts: contacts)
        defer { ledger.close() }
        let runner = ProjectionRunner(ledger: ledger, projection: ContactProjection(ledger: ledger))
        try runner.rebuild()
        let store = try runner.openStore()
        defer { store.close() }
        let segments = SegmentDirectory(store: store)
        let rule = try SegmentRule(json: Array(Self.tenConditions.utf8), fieldTypes: [:])
        precondition(rule.conditionCount == 10)
        let now = Ledger.systemClock()

        // Before any rule: the projection is dormant, facts are empty; the rule's history
        // conditions then fail, so the definition below is timed first for the full pass.
        var defineSeconds = 0.0
        let defineCPU = Self.processCPUSeconds()
        defineSeconds = try BenchReport.time {
            let event = SegmentEvent.ruleDefined(SegmentRuleDefined(segment: "bench", version: 1, rule: Self.tenConditions))
            _ = try ledger.append(AppendRequest(target: .newIn(.segment), events: [event.newEvent(actor: SyntheticContacts.actor, source: .cli(command: "bench"))]))
            try runner.catchUp(store: store)
        }
        let members = try segments.memberCount("bench")
        Self.note("defined the 10-condition rule over \(contacts) contacts in \(Int(defineSeconds * 1000)) ms: \(members) members")
        BenchReport.figure("segments.define", [defineSeconds], unit: "s", lowerIsBetter: true, decimals: 2)
        BenchReport.figure("segments.define.cpu", [Self.processCPUSeconds() - defineCPU], unit: "s", lowerIsBetter: true, decimals: 2)

        var full = [Double]()
        var fullCPU = [Double]()
        for _ in 0..<options.runs {
            var matched = 0
            let cpu = Self.processCPUSeconds()
            full.append(try BenchReport.time { matched = try segments.evaluate(rule, now: now).count })
            fullCPU.append(Self.processCPUSeconds() - cpu)
            guard matched == members else { throw BenchFailure("evaluation found \(matched) members, the projection \(members)") }
        }
        BenchReport.figure("segments.evaluate", full, unit: "s", target: 1, lowerIsBetter: true, decimals: 2)
        BenchReport.figure("segments.evaluate.cpu", fullCPU, unit: "s", lowerIsBetter: true, decimals: 2)

        // The evaluation alone: states read once into memory (the first 100,000), evaluated 10 times.
        var held = [(ContactState, SegmentFacts)]()
        try segments.forEachContact { state, facts in
            if held.count < 100_000 { held.append((state, facts)) }
        }
        let compiled = CompiledRule(rule)
        let context = RuleContext(now: now)
        var alone = [Double]()
        for _ in 0..<options.runs {
            var count = 0
            let seconds = try BenchReport.time {
                for _ in 0..<10 { for (state, facts) in held where compiled.matches(state, facts: facts, context: context) { count += 1 } }
            }
            alone.append(seconds / Double(10 * held.count) * 1e9)
            if count == -1 { Self.note("") }
        }
        BenchReport.figure("segments.evaluate.per-contact", alone, unit: "ns", lowerIsBetter: true)

        let changed = try SegmentRule(json: Array(Self.changed.utf8), fieldTypes: [:])
        var diff = [Double]()
        var diffCPU = [Double]()
        for _ in 0..<options.runs {
            let cpu = Self.processCPUSeconds()
            diff.append(try BenchReport.time { _ = try segments.evaluate([rule, changed], now: now) })
            diffCPU.append(Self.processCPUSeconds() - cpu)
        }
        BenchReport.figure("segments.diff", diff, unit: "s", target: 2, lowerIsBetter: true, decimals: 2)
        BenchReport.figure("segments.diff.cpu", diffCPU, unit: "s", lowerIsBetter: true, decimals: 2)

        var past = [Double]()
        let after = Ledger.systemClock()
        for _ in 0..<options.runs {
            var count = 0
            past.append(try BenchReport.time { count = try segments.members("bench", at: after).count })
            guard count == members else { throw BenchFailure("members at a time found \(count), now \(members)") }
        }
        BenchReport.figure("segments.members-at", past, unit: "s", target: 2, lowerIsBetter: true, decimals: 2)
    }

    private func incremental() throws {
        let contacts = min(20_000, max(1, (options.eventsFlag ?? 80_000) / 4))
        let updates = contacts
        var figures = [String: [Double]]()
        for withRules in [false, true] {
            let directory = options.directory + "-segments-incremental"
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let ledger = try SyntheticContacts.buildLedger(directory: directory, contacts: contacts)
            defer { ledger.close() }
            let runner = ProjectionRunner(ledger: ledger, projection: ContactProjection(ledger: ledger))
            try runner.rebuild()
            let store = try runner.openStore()
            defer { store.close() }
            if withRules {
                // 100 rules of three conditions, a quarter each on the first name, the last
                // name, the identifiers and the contact's history: an update of the first name
                // moves a contact across a few of them, as a field edit usually does.
                var requests = [AppendRequest]()
                for index in 0..<100 {
                    let first = SyntheticContacts.firstNames[index % SyntheticContacts.firstNames.count]
                    let last = SyntheticContacts.lastNames[index % SyntheticContacts.lastNames.count]
                    let rule: String = switch index % 4 {
                    case 0: #"{"all": [{"field": "firstName", "op": "=", "value": "\#(first)"}, {"has": "email"}, {"not": {"field": "lastName", "op": "endsWith", "value": "x\#(index)"}}]}"#
                    case 1: #"{"all": [{"field": "lastName", "op": "=", "value": "\#(last)"}, {"has": "phone"}, {"field": "email", "op": "contains", "value": "\#(index % 10)"}]}"#
                    case 2: #"{"any": [{"has": "externalId"}, {"field": "phone", "op": "endsWith", "value": "\#(index)"}, {"consent": {"channel": "email", "status": "confirmed"}}]}"#
                    default: #"{"all": [{"history": {"event": "created", "actor": "user:bench"}}, {"field": "createdAt", "op": "withinLastDays", "value": \#(index)}, {"history": {"event": "imported", "withinDays": 3650}}]}"#
                    }
                    let event = SegmentEvent.ruleDefined(SegmentRuleDefined(segment: "rule-\(index)", version: 1, rule: rule))
                    requests.append(AppendRequest(target: .newIn(.segment), events: [event.newEvent(actor: SyntheticContacts.actor, source: .cli(command: "bench"))]))
                }
                _ = try ledger.append(requests)
                let seconds = try BenchReport.time { try runner.catchUp(store: store) }
                Self.note("defined 100 rules over \(contacts) contacts in \(Int(seconds * 1000)) ms")
            }
            for _ in 0..<options.runs {
                var batch = [AppendRequest]()
                for update in 0..<updates {
                    let contact = Int.random(in: 0..<contacts)
                    let first = SyntheticContacts.firstNames[(contact + update) % SyntheticContacts.firstNames.count]
                    let event = ContactEvent.contactFieldsChanged(ContactFieldsChanged(changes: [FieldChange(field: .standard(.firstName), from: nil, to: .text(first))]))
                    batch.append(AppendRequest(target: .existing(SyntheticContacts.stream(contact)), events: [event.newEvent(actor: SyntheticContacts.actor, source: .api(key: "bench", requestID: "\(update)"))]))
                    if batch.count == 500 {
                        _ = try ledger.append(batch)
                        batch.removeAll(keepingCapacity: true)
                    }
                }
                if !batch.isEmpty { _ = try ledger.append(batch) }
                let cpu = Self.processCPUSeconds()
                let seconds = try BenchReport.time { try Self.followUpdates(runner, store: store) }
                figures[withRules ? "with" : "without", default: []].append(seconds / Double(updates) * 1e6)
                figures[withRules ? "with.cpu" : "without.cpu", default: []].append((Self.processCPUSeconds() - cpu) / Double(updates) * 1e6)
            }
        }
        BenchReport.figure("segments.incremental.dormant", figures["without"] ?? [], unit: "µs/event", lowerIsBetter: true, decimals: 1)
        BenchReport.figure("segments.incremental", figures["with"] ?? [], unit: "µs/event", target: 20, lowerIsBetter: true, decimals: 1)
        BenchReport.figure("segments.incremental.dormant.cpu", figures["without.cpu"] ?? [], unit: "µs/event", lowerIsBetter: true, decimals: 1)
        BenchReport.figure("segments.incremental.cpu", figures["with.cpu"] ?? [], unit: "µs/event", lowerIsBetter: true, decimals: 1)
    }

    /// The timed catch-up of the incremental part, a function of its own for profilers.
    @inline(never)
    static func followUpdates(_ runner: ProjectionRunner<ContactProjection>, store: ProjectionStore) throws {
        try runner.catchUp(store: store)
    }

    /// User and system CPU time of the whole process so far: a figure the machine's load
    /// changes far less than wall time (other processes' share of the cores is not in it).
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    static func note(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
