import ArgumentParser
import Foundation
import LedgerContacts
import LedgerDomain
import LedgerProjections
import LedgerStore

/// `ledger segment …`: static lists and dynamic rules (docs/operations.md, "Segments").
struct SegmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segment",
        abstract: "Static and dynamic segments: define, preview, list, members, diff, why, refresh.",
        subcommands: [
            Define.self, Preview.self, List.self, Members.self, Diff.self, Why.self, Refresh.self,
            Add.self, Remove.self, Import.self,
        ]
    )

    /// `ledger segment define NAME --rule FILE`.
    struct Define: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a dynamic segment's rule; a changed rule is a new version.")
        @OptionGroup var options: ContactBookOptions
        @Argument(help: "The segment's name.") var name: String
        @Option(help: "The rule document (JSON, Schemas/segment-rule.schema.json).") var rule: String
        @OptionGroup var actor: ActorOption

        func run() throws {
            let json = try SegmentRuleFile.read(rule)
            try SegmentRuleFile.naming(rule) { try options.withBook { book in
                let defined = try book.defineSegment(name, rule: json, actor: actor.value, source: .cli(command: "segment define"))
                let count = try SegmentDirectory(store: book.store).memberCount(name)
                Output.line(defined.unchanged
                    ? "segment \(name): rule unchanged (version \(defined.version), \(count) members)"
                    : "segment \(name): rule version \(defined.version), \(count) members")
            } }
        }
    }

    /// `ledger segment preview --rule FILE [--json]`.
    struct Preview: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Count and sample who a rule selects, without saving anything.")
        @OptionGroup var options: ContactBookOptions
        @Option(help: "The rule document (JSON).") var rule: String
        @Option(help: "How many members to show.") var sample: Int = 10
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            guard sample >= 0 else { throw ValidationError("--sample is a count, 0 or more") }
            let document = try SegmentRuleFile.read(rule)
            try SegmentRuleFile.naming(rule) { try options.withBook { book in
                let directory = try book.directory()
                let parsed = try book.parse(document, fieldTypes: try directory.fieldTypes())
                let matched = try SegmentDirectory(store: book.store).evaluate(parsed, now: Ledger.systemClock())
                let shown = try matched.prefix(sample).map { try SegmentMemberLine(id: $0, state: directory.contact($0), since: nil) }
                if json {
                    try Output.json(SegmentPreviewDocument(count: matched.count, sample: shown))
                } else {
                    Output.line("\(matched.count) contacts match")
                    for line in shown { Output.line(line.text) }
                }
            } }
        }
    }

    /// `ledger segment list [--json]`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every segment: kind, rule version, members, when last evaluated.")
        @OptionGroup var options: ContactBookOptions
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            try options.withBook { book in
                let contacts = try book.directory()
                let segments = SegmentDirectory(store: book.store)
                var rows = [SegmentListEntry]()
                for (name, record) in try segments.rules().sorted(by: { $0.key < $1.key }) {
                    rows.append(SegmentListEntry(name: name, kind: "dynamic", version: record.version, members: try segments.memberCount(name),
                                                 evaluatedAt: Timestamp.iso8601(microseconds: record.evaluatedAt)))
                }
                var statics = [String: Int]()
                try contacts.forEach { state in
                    for name in state.segments where !state.erased && state.mergedInto == nil { statics[name, default: 0] += 1 }
                }
                for (name, count) in statics.sorted(by: { $0.key < $1.key }) where !rows.contains(where: { $0.name == name }) {
                    rows.append(SegmentListEntry(name: name, kind: "static", version: nil, members: count, evaluatedAt: nil))
                }
                if json {
                    try Output.json(rows)
                    return
                }
                if rows.isEmpty { Output.line("no segments") }
                for row in rows {
                    let rule = row.version.map { " rule v\($0), evaluated \(row.evaluatedAt ?? "")" } ?? ""
                    Output.line("\(row.name)  \(row.kind)\(rule)  \(row.members) members")
                }
            }
        }
    }

    /// `ledger segment members NAME [--at T] [--json | --format csv]`.
    struct Members: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A segment's members now, or as they were at a time.")
        @OptionGroup var options: ContactBookOptions
        @Argument(help: "The segment's name.") var name: String
        @Option(help: "An ISO 8601 time: members as they were then (dynamic segments).") var at: String?
        @Flag(help: "Print JSON.") var json = false
        @Option(help: "text (default) or csv.") var format: String = "text"

        func run() throws {
            guard ["text", "csv"].contains(format) else { throw ValidationError("--format must be text or csv") }
            if json && format == "csv" { throw ValidationError("--json and --format csv exclude each other") }
            let moment = try at.map { text in
                guard let moment = Timestamp.parse(text) else { throw ValidationError("--at \(text) is not an ISO 8601 date or time") }
                return moment
            }
            try options.withBook { book in
                let contacts = try book.directory()
                let segments = SegmentDirectory(store: book.store)
                var lines = [SegmentMemberLine]()
                if try segments.rules()[name] != nil {
                    if let moment {
                        lines = try segments.members(name, at: moment).map { try SegmentMemberLine(id: $0, state: contacts.contact($0), since: nil) }
                    } else {
                        lines = try segments.members(name).map { try SegmentMemberLine(id: $0.stream, state: contacts.contact($0.stream), since: $0.since) }
                    }
                } else {
                    if moment != nil {
                        throw CommandFailure(.usage, "--at answers for dynamic segments; \(name) has no rule (a static segment's past is in each contact's history)")
                    }
                    try contacts.forEach { state in
                        if state.segments.contains(name), !state.erased, state.mergedInto == nil {
                            lines.append(SegmentMemberLine(id: state.id, state: state, since: nil))
                        }
                    }
                    if lines.isEmpty { throw CommandFailure(.noInput, "no segment \(name): no rule and no contact in it") }
                }
                if json {
                    try Output.json(lines)
                } else if format == "csv" {
                    var text = CSVField.record(["id", "email", "phone", "externalId"])
                    for line in lines { text += CSVField.record([String(line.id), line.email ?? "", line.phone ?? "", line.externalId ?? ""]) }
                    StandardStream.output(text)
                } else {
                    for line in lines { Output.line(line.text) }
                }
            }
        }
    }

    /// `ledger segment refresh`.
    struct Refresh: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Re-evaluate the segments whose rules read the clock (last N days, birthdays, ages), once.")
        @OptionGroup var options: ContactBookOptions
        @OptionGroup var actor: ActorOption

        func run() throws {
            try options.withBook { book in
                let names = try book.refreshSegments(actor: actor.value, source: .cli(command: "segment refresh"))
                Output.line(names.isEmpty ? "no segment reads the clock" : "refreshed \(names.joined(separator: ", "))")
            }
        }
    }
}

/// Reading a rule file: a clear error naming it when it cannot be read.
enum SegmentRuleFile {
    /// Runs `body`, naming the rule file in a refusal of the rule (`$.all[0].op: …`).
    static func naming<Result>(_ path: String?, _ body: () throws -> Result) throws -> Result {
        do {
            return try body()
        } catch let error as ContactError where error.code == .invalidField && error.message.hasPrefix("rule $") {
            throw CommandFailure(.dataError, "\(path ?? "rule"): \(error.message.dropFirst("rule ".count))")
        }
    }

    static func read(_ path: String) throws -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else { throw CommandFailure(.noInput, "no rule file \(path)") }
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              (attributes[.type] as? FileAttributeType) == .typeRegular else {
            throw CommandFailure(.noInput, "\(path) is not a regular file")
        }
        if let size = attributes[.size] as? Int, size > SegmentRule.maxDocumentBytes {
            throw CommandFailure(.dataError, "\(path): the rule document is \(size) bytes; at most \(SegmentRule.maxDocumentBytes) are read")
        }
        do {
            return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw CommandFailure(.noInput, "\(path) cannot be read: \(error.localizedDescription)")
        }
    }
}

/// One member as the commands show it.
struct SegmentMemberLine: Encodable {
    let id: UInt64
    let email: String?
    let phone: String?
    let externalId: String?
    let since: String?

    init(id: StreamID, state: ContactState?, since: Int64?) {
        self.id = id.rawValue
        email = state?.email
        phone = state?.phone
        externalId = state?.externalId
        self.since = since.map { Timestamp.iso8601(microseconds: $0) }
    }

    var text: String {
        (["#\(id)"] + [email, phone, externalId].compactMap { $0 } + (since.map { ["since \($0)"] } ?? [])).joined(separator: "  ")
    }
}

struct SegmentPreviewDocument: Encodable {
    let count: Int
    let sample: [SegmentMemberLine]
}

struct SegmentListEntry: Encodable {
    let name: String
    let kind: String
    let version: UInt64?
    let members: Int
    let evaluatedAt: String?
}

extension ContactBookOptions {
    /// Runs `body` on the contact book of an existing store and closes it after (the segment
    /// commands use its synchronous API).
    func withBook<Result>(_ body: (ContactBook) throws -> Result) throws -> Result {
        let (book, close) = try open()
        defer { close() }
        return try body(book)
    }
}
