import ArgumentParser
import Foundation
import LedgerDomain
import LedgerProjections
import LedgerTokens

/// `ledger tokens list [--status S] [--provider P]`: every token with its status.
struct TokensListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List push tokens with their status and reasons (never their values)."
    )

    @OptionGroup var options: TokenBookOptions
    @Option(help: "Only tokens of this status: deliverable, needs-resubscribe or invalid.") var status: String?
    @Option(help: "Only tokens migrated from this provider.") var provider: String?
    @Flag(help: "Print one JSON object a line.") var json = false

    struct Document: Encodable {
        let token: String
        let kind: String
        let provider: String?
        let origin: String?
        let appId: String?
        let pushService: String
        let status: String
        let reasons: [String]
        let flags: [String]
        let contact: UInt64?
        let refreshes: UInt64
    }

    func validate() throws {
        if let status, TokenStatus(rawValue: status) == nil {
            throw ValidationError("--status must be deliverable, needs-resubscribe or invalid")
        }
    }

    func run() throws {
        try options.withBook { book in
            let directory = try book.directory()
            let context = try directory.statusContext(now: nowMicroseconds())
            var table = TextTable(["token", "kind", "provider", "service", "status", "reasons", "contact"])
            try directory.forEach { state in
                let (found, reasons) = state.status(in: context)
                if let status, found.label != status { return }
                if let provider, state.provider != provider { return }
                let document = Document(
                    token: tokenLabel(state.stream), kind: state.kind.label, provider: state.provider, origin: state.origin, appId: state.appID,
                    pushService: state.pushService, status: found.label, reasons: reasons, flags: state.flags,
                    contact: state.contact?.rawValue, refreshes: state.refreshes)
                if json {
                    try Output.jsonLine(document)
                } else {
                    table.add([document.token, document.kind, document.provider ?? "-", document.pushService, document.status,
                               (reasons + state.flags.map { "flag:\($0)" }).joined(separator: ","), state.contact.map { "#\($0.rawValue)" } ?? "-"])
                }
            }
            if !json { Output.line(table.text) }
        }
    }
}

/// `ledger tokens report [--json]`: the migration's checklist.
struct TokensReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Count push tokens by provider, kind, status and reason: the migration's checklist."
    )

    @OptionGroup var options: TokenBookOptions
    @Flag(help: "Print the report as JSON.") var json = false

    struct Group: Encodable, Hashable, Comparable {
        let provider: String
        let kind: String
        let status: String
        let reason: String

        static func < (lhs: Group, rhs: Group) -> Bool {
            (lhs.provider, lhs.kind, lhs.status, lhs.reason) < (rhs.provider, rhs.kind, rhs.status, rhs.reason)
        }
    }

    struct Row: Encodable {
        let provider: String
        let kind: String
        let status: String
        let reason: String
        let tokens: Int
    }

    struct Document: Encodable {
        let tokens: Int
        let byStatus: [String: Int]
        let byKind: [String: Int]
        let flags: [String: Int]
        let groups: [Row]
        let vapidKeys: [String]
        let origins: [String]
    }

    func run() throws {
        try options.withBook { book in
            let directory = try book.directory()
            let context = try directory.statusContext(now: nowMicroseconds())
            var groups = [Group: Int]()
            var byStatus = [String: Int]()
            var byKind = [String: Int]()
            var flags = [String: Int]()
            var total = 0
            try directory.forEach { state in
                let (status, reasons) = state.status(in: context)
                total += 1
                byStatus[status.label, default: 0] += 1
                byKind[state.kind.label, default: 0] += 1
                for flag in state.flags { flags[flag, default: 0] += 1 }
                // A token counts once per group: under its first reason (the order `status` gives).
                groups[Group(provider: state.provider ?? "(own)", kind: state.kind.label, status: status.label, reason: reasons.first ?? "-"), default: 0] += 1
            }
            let rows = groups.keys.sorted().map { Row(provider: $0.provider, kind: $0.kind, status: $0.status, reason: $0.reason, tokens: groups[$0] ?? 0) }
            if json {
                try Output.json(Document(tokens: total, byStatus: byStatus, byKind: byKind, flags: flags, groups: rows,
                                         vapidKeys: context.vapidKeys.sorted(), origins: context.origins.sorted()))
                return
            }
            Output.line("\(total) tokens: " + TokenStatus.allCases.map { "\($0.label) \(byStatus[$0.label] ?? 0)" }.joined(separator: ", "))
            Output.line("by kind: " + byKind.keys.sorted().map { "\($0) \(byKind[$0] ?? 0)" }.joined(separator: ", "))
            var table = TextTable(["provider", "kind", "status", "reason", "tokens"])
            for row in rows { table.add([row.provider, row.kind, row.status, row.reason, "\(row.tokens)"]) }
            Output.line(table.text)
            if !flags.isEmpty { Output.line("flags: " + flags.keys.sorted().map { "\($0) \(flags[$0] ?? 0)" }.joined(separator: ", ")) }
            Output.line("VAPID keys held: \(context.vapidKeys.count); origins served: \(context.origins.sorted().joined(separator: ", "))")
        }
    }
}

/// `ledger tokens erase TOKEN`: erase one token's values.
struct TokensEraseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erase",
        abstract: "Erase a push token's values (endpoint, keys) for good by destroying its data key."
    )

    @OptionGroup var options: TokenBookOptions
    @Argument(help: "token:N, or the token's endpoint URL, or device:TOKEN.") var token: String
    @Option(help: "Why, as a short code.") var reason: String = "operator-request"
    @OptionGroup var actor: ActorOption

    func run() throws {
        try options.withBook { book in
            guard token.hasPrefix("token:") || token.hasPrefix("https://") || token.hasPrefix("http://") || token.hasPrefix("device:") else {
                throw CommandFailure(.usage, "tokens erase takes token:N, an endpoint URL or device:TOKEN; a contact's tokens go with `ledger erase CONTACT`")
            }
            for stream in try TokenBookOptions.tokens(token, in: book) {
                let erasure = try book.erase(stream, reason: reason, actor: actor.value, source: .cli(command: "tokens erase"))
                Output.line("erased \(tokenLabel(stream)): \(erasure.keysDestroyed) data key\(erasure.keysDestroyed == 1 ? "" : "s") destroyed")
            }
        }
    }
}
