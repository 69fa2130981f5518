import ArgumentParser
import LedgerContacts
import LedgerDomain
import LedgerProjections
import LedgerStore

/// `ledger consent KEY [--at T]` and `ledger consent set KEY ...`.
struct ConsentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consent",
        abstract: "Show a contact's consent, now or at a given time, or change it.",
        subcommands: [Show.self, Set.self],
        defaultSubcommand: Show.self
    )

    /// `ledger consent [show] KEY [--at ISO8601] [--history] [--json]`.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show consent per channel, now or as it was at --at.")
        @OptionGroup var options: ContactBookOptions
        @Argument(help: "A contact key: #N or id:N (a contact number), an e-mail, a phone, or ext:ID.") var key: String
        @Option(help: "A moment in ISO 8601 (e.g. 2026-03-01 or 2026-03-01T12:00:00Z): consent as it stood then, by when things happened (a consent migrated from another system counts from its own time).") var at: String?
        @Option(name: .customLong("as-known-at"), help: "A moment in ISO 8601: only what the ledger had recorded by then (an audit's \"what did we believe\").") var asKnownAt: String?
        @Flag(help: "Print as JSON.") var json = false
        @Flag(help: "Show the full consent trail instead (up to --at when given), with evidence and tokens.") var history = false

        func run() throws {
            let (book, close) = try options.open()
            defer { close() }
            let id = try options.contact(key, in: book)
            func moment(_ text: String?, _ option: String) throws -> Int64? {
                try text.map { text in
                    guard let moment = Timestamp.parse(text) else { throw ValidationError("--\(option) \(text) is not an ISO 8601 date or time") }
                    return moment
                }
            }
            let until = try moment(at, "at")
            let knownAt = try moment(asKnownAt, "as-known-at")
            if history {
                return try ConsentHistoryOutput.print(book.ledger, contact: id, until: until, knownAt: knownAt, json: json)
            }
            let state: ContactState?
            if until != nil || knownAt != nil {
                state = try ContactAsOf.state(events: try book.ledger.readStream(id), at: until, knownAt: knownAt, keys: book.ledger.keyRing())
            } else {
                state = try book.contact(id)
            }
            guard let state else {
                Output.line(json ? "{}" : "contact \(id) did not exist at that time")
                return
            }
            if json {
                Output.line(state.document.jsonText)
                return
            }
            Output.line("consent of contact \(id)\(at.map { " at \($0)" } ?? "")\(asKnownAt.map { " as known at \($0)" } ?? "")")
            if state.consents.isEmpty { Output.line("  none recorded") }
            for (scope, record) in state.consents.sorted(by: { ($0.key.channel.label, $0.key.purpose) < ($1.key.channel.label, $1.key.purpose) }) {
                var line = "  \(scope.channel.label)/\(scope.purpose): \(record.status.label) since \(Timestamp.iso8601(microseconds: record.since)) by \(record.method.label)"
                if let wording = record.wordingVersion { line += ", wording \(wording)" }
                if let pending = record.pending { line += ", confirmation \(pending.tokenID) pending" }
                Output.line(line)
            }
        }
    }

    /// `ledger consent set KEY --channel C --status S [--purpose P] [--reason TEXT] [--evidence TEXT]`.
    ///
    /// A change made here is an operator's: recorded with the method `operator`, the actor
    /// (`--actor`, default the user), the status stated, and the operator's evidence note.
    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change consent on one channel, as an operator.")
        @OptionGroup var options: ContactBookOptions
        @Argument(help: "A contact key: #N or id:N (a contact number), an e-mail, a phone, or ext:ID.") var key: String
        @Option(help: "email, sms, webpush or mobilepush.") var channel: String
        @Option(help: "subscribed, confirmed or unsubscribed.") var status: String
        @Option(help: "The list or purpose (default: marketing).") var purpose: String = "marketing"
        @Option(help: "A reason code, kept with a withdrawal (e.g. too-frequent).") var reason: String?
        @Option(help: "What proves the change, e.g. \"signed paper form 2026-03-02\" (kept sealed with the contact's data).") var evidence: String?
        @Option(name: .customLong("wording-version"), help: "The version of the consent wording shown.") var wordingVersion: String?
        @OptionGroup var actor: ActorOption

        func run() async throws {
            guard let consentChannel = ConsentChannel(rawValue: channel) else {
                throw ValidationError("--channel must be one of \(ConsentChannel.allCases.map(\.label).joined(separator: ", "))")
            }
            let change: ConsentChange
            switch status {
            case ConsentGrantStatus.subscribed.label: change = .grant(.subscribed, method: .operator)
            case ConsentGrantStatus.confirmed.label: change = .grant(.confirmed, method: .operator)
            case "unsubscribed": change = .withdraw(method: .operator, reason: reason)
            default: throw ValidationError("--status must be subscribed, confirmed or unsubscribed")
            }
            if reason != nil, status != "unsubscribed" {
                throw ValidationError("--reason goes with --status unsubscribed")
            }
            let id = try await options.withService { service in
                let id = try await options.contact(key, in: service)
                try await service.setConsent(
                    id, scope: ConsentScope(channel: consentChannel, purpose: purpose), change: change,
                    wordingVersion: wordingVersion, evidence: ConsentEvidence(note: evidence),
                    actor: actor.value, source: .cli(command: "consent set")
                )
                return id
            }
            Output.line("consent of contact \(id) on \(consentChannel.label)/\(purpose): \(status)")
        }
    }
}
