import ArgumentParser
import Foundation
import LedgerContacts
import LedgerDomain
import LedgerImport
import LedgerProjections
import LedgerStore

extension SegmentCommand {
    /// `ledger segment diff NAME [--from-version A] [--to-version B | --rule FILE]`.
    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Who enters and who leaves between two versions of a rule, or a rule not saved yet.")
        @OptionGroup var options: ContactBookOptions
        @Argument(help: "The segment's name.") var name: String
        @Option(name: .customLong("from-version"), help: "The version compared from (default: the current one).") var fromVersion: UInt64?
        @Option(name: .customLong("to-version"), help: "The version compared to.") var toVersion: UInt64?
        @Option(help: "A rule document compared to, instead of a version.") var rule: String?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            guard (toVersion == nil) != (rule == nil) else { throw ValidationError("give --to-version or --rule (one of them)") }
            let document = try rule.map(SegmentRuleFile.read)
            try SegmentRuleFile.naming(rule) { try options.withBook { book in
                let contacts = try book.directory()
                let segments = SegmentDirectory(store: book.store)
                guard let record = try segments.rules()[name] else { throw CommandFailure(.noInput, "no dynamic segment \(name)") }
                let versions = try SegmentVersions.read(record.stream, in: book.ledger)
                let types = try contacts.fieldTypes()
                func version(_ number: UInt64) throws -> SegmentRule {
                    guard let text = versions.first(where: { $0.version == number })?.rule else {
                        throw CommandFailure(.noInput, "segment \(name) has no version \(number) (versions 1 to \(record.version))")
                    }
                    return try book.parse(Array(text.utf8), fieldTypes: types)
                }
                let from = try version(fromVersion ?? record.version)
                let to = try document.map { try book.parse($0, fieldTypes: types) } ?? version(toVersion ?? record.version)
                let results = try segments.evaluate([from, to], now: Ledger.systemClock())
                let before = Set(results[0])
                let after = Set(results[1])
                let entering = try after.subtracting(before).sorted().map { try SegmentMemberLine(id: $0, state: contacts.contact($0), since: nil) }
                let leaving = try before.subtracting(after).sorted().map { try SegmentMemberLine(id: $0, state: contacts.contact($0), since: nil) }
                if json {
                    try Output.json(SegmentDiffDocument(before: before.count, after: after.count, entering: entering, leaving: leaving))
                    return
                }
                Output.line("\(before.count) → \(after.count) members: \(entering.count) enter, \(leaving.count) leave")
                for line in entering { Output.line("+ " + line.text) }
                for line in leaving { Output.line("- " + line.text) }
            } }
        }
    }

    /// `ledger segment why NAME KEY [--at T]`.
    struct Why: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Which conditions hold for a contact, and when and under which rule version it entered or left.")
        @OptionGroup var options: ContactBookOptions
        @Argument(help: "The segment's name.") var name: String
        @Argument(help: "A contact key: #N or id:N, an e-mail, a phone, or ext:ID.") var key: String
        @Option(help: "An ISO 8601 time: the contact, the rule and the membership as they were then.") var at: String?

        func run() throws {
            let moment = try at.map { text in
                guard let moment = Timestamp.parse(text) else { throw ValidationError("--at \(text) is not an ISO 8601 date or time") }
                return moment
            }
            try options.withBook { book in
                let id = try options.contact(key, in: book)
                let segments = SegmentDirectory(store: book.store)
                guard let record = try segments.rules()[name] else { throw CommandFailure(.noInput, "no dynamic segment \(name)") }
                let now = moment ?? Ledger.systemClock()
                guard let version = try SegmentVersions.read(record.stream, in: book.ledger).last(where: { $0.recordedAt <= now }) else {
                    throw CommandFailure(.noInput, "segment \(name) had no rule at \(Timestamp.iso8601(microseconds: now))")
                }
                let types = try book.directory().fieldTypes()
                let rule = try book.parse(Array(version.rule.utf8), fieldTypes: types)
                let events = try book.ledger.readStream(id)
                guard let state = try ContactAsOf.state(events: events, at: now, keys: book.ledger.keyRing()) else {
                    throw CommandFailure(.noInput, "contact \(id) did not exist at \(Timestamp.iso8601(microseconds: now))")
                }
                var facts = SegmentFacts()
                var ended = false
                for event in events where event.recordedAt <= now && !ended {
                    guard let contactEvent = try LedgerEvent(decoding: event).contactEvent else { continue }
                    facts.record(contactEvent, envelope: FactEnvelope(event))
                    switch contactEvent {
                    case .contactErased, .contactMergedAway: ended = true
                    default: break
                    }
                }
                let set = try segments.ruleSet()
                var context = RuleContext(now: now, segments: set.entries.count)
                for segment in rule.segmentsNamed {
                    guard let index = set.index[segment] else { continue }
                    context.dynamicMembers[index] = try moment.map { try segments.members(segment, at: $0).contains(id) }
                        ?? segments.segments(of: id).contains(segment)
                }
                let member = CompiledRule(rule, dynamic: set.index).matches(state, facts: facts, context: context)
                let when = moment.map { " at \(Timestamp.iso8601(microseconds: $0))" } ?? ""
                Output.line("contact \(id) \(member ? "is" : "is not") in \(name)\(when) under rule version \(version.version)")
                if state.erased || state.mergedInto != nil {
                    Output.line("  (an erased or merged-away contact is in no segment)")
                }
                for line in rule.explain(state, facts: facts, context: context, dynamic: set.index) {
                    Output.line(String(repeating: "  ", count: line.depth + 1) + (line.holds ? "✓ " : "✗ ") + line.text)
                }
                let history = try segments.history(name, of: id).filter { $0.at <= now }
                if history.isEmpty { Output.line("never entered") }
                for transition in history {
                    Output.line("\(transition.entered ? "entered" : "left") \(Timestamp.iso8601(microseconds: transition.at)) under version \(transition.version) (event at position \(transition.position))")
                }
            }
        }
    }

    /// `ledger segment add NAME KEY…`.
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add contacts to a static segment.")
        @OptionGroup var options: ContactBookOptions
        @Argument(help: "The segment's name.") var name: String
        @Argument(help: "Contact keys.") var keys: [String]
        @OptionGroup var actor: ActorOption

        func run() throws {
            try StaticMembershipChange.run(options: options, name: name, keys: keys, member: true, actor: actor.value, command: "segment add")
        }
    }

    /// `ledger segment remove NAME KEY…`.
    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove contacts from a static segment.")
        @OptionGroup var options: ContactBookOptions
        @Argument(help: "The segment's name.") var name: String
        @Argument(help: "Contact keys.") var keys: [String]
        @OptionGroup var actor: ActorOption

        func run() throws {
            try StaticMembershipChange.run(options: options, name: name, keys: keys, member: false, actor: actor.value, command: "segment remove")
        }
    }

    /// `ledger segment import NAME FILE`.
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add the contacts a file lists (first column: a key per row; .csv, .txt, .xls, .xlsx) to a static segment.")
        @OptionGroup var options: ContactBookOptions
        @Argument(help: "The segment's name.") var name: String
        @Argument(help: "The file of keys.") var file: String
        @OptionGroup var actor: ActorOption

        func run() throws {
            guard FileManager.default.fileExists(atPath: file) else { throw CommandFailure(.noInput, "no file \(file)") }
            let source = try TabularFile.open(URL(fileURLWithPath: file))
            var keys = [(row: Int, key: String)]()
            if let first = source.header.fields.first?.trimmingCharacters(in: .whitespaces), !first.isEmpty {
                keys.append((source.header.number, first))
            }
            while let row = try source.nextRow() {
                guard let key = row.fields.first?.trimmingCharacters(in: .whitespaces), !key.isEmpty else { continue }
                keys.append((row.number, key))
            }
            try options.withBook { book in
                var ids = [StreamID]()
                var missing = [Int]()
                for (index, entry) in keys.enumerated() {
                    if let id = try? book.resolve(key: entry.key) {
                        ids.append(id)
                    } else if index > 0 || keys.count == 1 {
                        missing.append(entry.row)
                    }
                    // The first row names no contact: taken as the column's header.
                }
                guard missing.isEmpty else {
                    let shown = missing.prefix(10).map(String.init).joined(separator: ", ")
                    throw CommandFailure(.dataError, "\(file): \(missing.count) rows name no contact (rows \(shown)\(missing.count > 10 ? ", …" : "")); nothing was recorded")
                }
                let changed = try book.setStaticMembership(ids, segment: name, member: true, actor: actor.value, source: .cli(command: "segment import"))
                Output.line("segment \(name): \(changed) added, \(Set(ids).count - changed) already in")
            }
        }
    }
}

/// Adding or removing contacts by key, all or none.
enum StaticMembershipChange {
    static func run(options: ContactBookOptions, name: String, keys: [String], member: Bool, actor: Actor, command: String) throws {
        guard !keys.isEmpty else { throw ValidationError("give at least one contact key") }
        try options.withBook { book in
            let ids = try keys.map { try options.contact($0, in: book) }
            let changed = try book.setStaticMembership(ids, segment: name, member: member, actor: actor, source: .cli(command: command))
            Output.line("segment \(name): \(changed) \(member ? "added" : "removed"), \(Set(ids).count - changed) unchanged")
        }
    }
}

/// The versions of a dynamic segment's rule, read from its stream.
enum SegmentVersions {
    static func read(_ stream: StreamID, in ledger: Ledger) throws -> [(version: UInt64, rule: String, recordedAt: Int64)] {
        try ledger.readStream(stream).compactMap { event in
            guard case .segments(.ruleDefined(let defined)) = try LedgerEvent(decoding: event) else { return nil }
            return (defined.version, defined.rule, event.recordedAt)
        }
    }
}

struct SegmentDiffDocument: Encodable {
    let before: Int
    let after: Int
    let entering: [SegmentMemberLine]
    let leaving: [SegmentMemberLine]
}
