import ArgumentParser
import Foundation
import LedgerContacts
import LedgerDomain
import LedgerIdentity
import LedgerProjections

/// `ledger contact`: show, add, update and merge contacts.
struct ContactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contact",
        abstract: "Show, add, update or merge contacts.",
        subcommands: [Show.self, Add.self, Update.self, Merge.self]
    )

    /// `ledger contact show KEY [--json]`.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a contact by number, e-mail or phone.")
        @OptionGroup var options: ContactBookOptions
        @Argument(help: "A contact key: #N or id:N (a contact number), an e-mail, a phone, or ext:ID.") var key: String
        @Flag(help: "Print the contact as JSON.") var json = false

        func run() throws {
            let (book, close) = try options.open()
            defer { close() }
            let id = try options.contact(key, in: book)
            guard let state = try book.contact(id) else { throw CommandFailure(.noInput, "contact \(id) has no state") }
            if json {
                Output.line(state.document.jsonText)
            } else {
                Output.line(ContactText.render(state))
            }
        }
    }

    /// `ledger contact add ...`.
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a contact (or update the one its e-mail or phone finds).")
        @OptionGroup var options: ContactBookOptions
        @OptionGroup var values: ContactOptions
        @OptionGroup var actor: ActorOption
        @Option(help: "How to find an existing contact: \(MatchRule.cliSpellings.joined(separator: ", ")).") var match: String = "email-or-phone"

        func run() async throws {
            let rule = try MatchRule(parsing: match)
            let outcome = try await options.withService(create: true) { service in
                let input = try values.input(declared: try await service.read { try $0.directory().fieldTypes() })
                return try await service.upsert(UpsertItem(input: input, source: .cli(command: "contact add")), match: rule, channel: .cli, actor: actor.value)
            }
            Output.line(OutcomeText.render(outcome))
        }
    }

    /// `ledger contact update KEY ...`.
    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change an existing contact.")
        @OptionGroup var options: ContactBookOptions
        @Argument(help: "A contact key: #N or id:N (a contact number), an e-mail, a phone, or ext:ID.") var key: String
        @OptionGroup var values: ContactOptions
        @OptionGroup var actor: ActorOption

        func run() async throws {
            let outcome = try await options.withService { service in
                try await update(through: service)
            }
            Output.line(OutcomeText.render(outcome))
        }

        private func update(through service: ContactService) async throws -> UpsertOutcome {
            let id = try await options.contact(key, in: service)
            guard let state = try await service.contact(id) else { throw CommandFailure(.noInput, "contact \(id) has no state") }
            var input = try values.input(declared: try await service.read { try $0.directory().fieldTypes() })
            // Found by KEY: match on an identifier the contact already holds.
            let rule: MatchRule
            if let email = state.email, input.email == nil {
                input.email = email
                rule = .email
            } else if let phone = state.phone, input.phone == nil {
                input.phone = phone
                rule = .phone
            } else if let external = state.externalId, input.externalId == nil {
                input.externalId = external
                rule = .externalId
            } else {
                rule = .emailOrPhone
            }
            let item = UpsertItem(input: input, source: .cli(command: "contact update"))
            return try await service.upsert(item, match: rule, options: UpsertOptions(create: false, overwriteEmpty: true), channel: .cli, actor: actor.value)
        }
    }

    /// `ledger contact merge SURVIVOR ABSORBED`.
    struct Merge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Merge the second contact into the first, on purpose.")
        @OptionGroup var options: ContactBookOptions
        @Argument(help: "The contact that stays.") var survivor: String
        @Argument(help: "The contact merged into it.") var absorbed: String
        @OptionGroup var actor: ActorOption

        func run() async throws {
            let (kept, gone) = try await options.withService { service in
                let kept = try await options.contact(survivor, in: service)
                let gone = try await options.contact(absorbed, in: service)
                try await service.merge(survivor: kept, absorbed: gone, actor: actor.value, source: .cli(command: "contact merge"))
                return (kept, gone)
            }
            Output.line("merged contact \(gone) into contact \(kept)")
        }
    }
}

/// The text form of command outcomes and contacts.
enum OutcomeText {
    static func render(_ outcome: UpsertOutcome) -> String {
        switch outcome {
        case .created(let id, let events): "created contact \(id) (\(events) events)"
        case .updated(let id, let events): "updated contact \(id) (\(events) events)"
        case .unchanged(let id): "contact \(id) unchanged"
        }
    }
}

/// A contact as an aligned table for the terminal: every e-mail, phone and external id (the
/// primary one first, then the others as `other email`, ...), fields, consent, segments.
enum ContactText {
    static func render(_ state: ContactState) -> String {
        var rows = [(String, String)]()
        // Values are escaped, line breaks included, so that none can forge a row.
        func row(_ label: String, _ value: String?) { if let value { rows.append((label, TerminalText.escaped(value))) } }
        if state.erased { rows.append(("erased", "yes: personal data destroyed")) }
        if let survivor = state.mergedInto { rows.append(("merged into", "contact \(survivor)")) }
        // Every identifier, the primary first (the latest added; a merge keeps the survivor's).
        for (label, kind) in [("email", IdentifierKind.email), ("phone", .phone), ("external id", .externalId)] {
            for (index, value) in state.identifiersPrimaryFirst(kind).enumerated() {
                row(index == 0 ? label : "other \(label)", value)
            }
        }
        row("first name", state.firstName)
        row("last name", state.lastName)
        row("birth date", state.birthDate?.iso8601)
        row("language", state.languageCode)
        row("time zone", state.timeZone)
        for (name, value) in state.fields.sorted(by: { $0.key < $1.key }) { row(TerminalText.escaped(name), FieldText.render(value)) }
        for (scope, record) in state.consents.sorted(by: { ($0.key.channel.label, $0.key.purpose) < ($1.key.channel.label, $1.key.purpose) }) {
            row("consent \(scope.channel.label)/\(TerminalText.escaped(scope.purpose))", "\(record.status.label) since \(Timestamp.iso8601(microseconds: record.since)) (\(record.method.label))")
        }
        if !state.segments.isEmpty { row("segments", state.segments.sorted().joined(separator: ", ")) }
        row("created", Timestamp.iso8601(microseconds: state.createdAt))
        row("updated", Timestamp.iso8601(microseconds: state.updatedAt))
        let width = rows.map(\.0.count).max() ?? 0
        return (["contact \(state.id)"] + rows.map { "  " + $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }).joined(separator: "\n")
    }
}

/// A field value as text.
enum FieldText {
    static func render(_ value: FieldValue) -> String {
        switch value {
        case .text(let text): text
        case .number(let number): number.canonical
        case .date(let date): date.iso8601
        case .bool(let flag): flag ? "true" : "false"
        }
    }
}
