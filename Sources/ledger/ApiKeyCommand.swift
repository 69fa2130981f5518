import ArgumentParser
import Foundation
import LedgerDomain
import LedgerServer

/// `ledger apikey create|list|revoke`: the keys that sign API requests.
struct ApiKeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apikey",
        abstract: "Create, list or revoke API keys.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    /// `ledger apikey create NAME --scopes a,b [--json]`.
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a key and print it once; only its SHA-256 is stored.",
            discussion: "Scopes: \(ApiScope.allCases.map(\.rawValue).joined(separator: ", "))."
        )
        @OptionGroup var storeOptions: StoreOptions
        @Argument(help: "The key's name (a-z, 0-9, '.', '_', '-'); events written with it name it as their actor.") var name: String
        @Option(help: "Comma-separated scopes, e.g. contacts:write,contacts:read.") var scopes: String
        @Flag(help: "Print the key as JSON.") var json = false
        @OptionGroup var actor: ActorOption

        func run() throws {
            let scopes = try ApiScope.parseList(scopes)
            let (record, secret) = try storeOptions.withLedger(create: true) { ledger in
                try ApiKeyBook(ledger: ledger).create(name: name, scopes: scopes, actor: actor.value, source: .cli(command: "apikey create"))
            }
            if json {
                try Output.jsonLine(CreatedKey(name: record.name, scopes: record.scopes.sorted().map(\.rawValue), key: secret))
            } else {
                Output.line("created API key \(record.name) (\(record.scopes.sorted().map(\.rawValue).joined(separator: ",")))")
                Output.line("key: \(secret)")
                Output.line("It is shown this once; only its SHA-256 is stored.")
            }
        }
    }

    /// `ledger apikey list [--json]`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the keys, revoked ones too (never their secrets).")
        @OptionGroup var storeOptions: StoreOptions
        @Flag(help: "Print the keys as a JSON array.") var json = false

        func run() throws {
            let keys = try storeOptions.withLedger { try ApiKeyBook(ledger: $0).list() }
            let rows = keys.map { record in
                ListedKey(
                    name: record.name, scopes: record.scopes.sorted().map(\.rawValue),
                    createdAt: Timestamp.iso8601(microseconds: record.createdAt), createdBy: record.createdBy.description,
                    revokedAt: record.revokedAt.map(Timestamp.iso8601(microseconds:))
                )
            }
            if json {
                try Output.jsonArray(rows)
                return
            }
            guard !rows.isEmpty else {
                Output.line("no API keys; `ledger apikey create NAME --scopes ...` makes one")
                return
            }
            var table = TextTable(["NAME", "SCOPES", "CREATED", "BY", "REVOKED"])
            for row in rows {
                table.add([TerminalText.escaped(row.name), row.scopes.joined(separator: ","), row.createdAt, TerminalText.escaped(row.createdBy), row.revokedAt ?? "-"])
            }
            Output.line(table.text)
        }
    }

    /// `ledger apikey revoke NAME`.
    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key: requests signed with it get 401.")
        @OptionGroup var storeOptions: StoreOptions
        @Argument(help: "The key's name.") var name: String
        @OptionGroup var actor: ActorOption

        func run() throws {
            _ = try storeOptions.withLedger { ledger in
                try ApiKeyBook(ledger: ledger).revoke(name: name, actor: actor.value, source: .cli(command: "apikey revoke"))
            }
            Output.line("revoked API key \(name)")
        }
    }

    struct CreatedKey: Encodable {
        let name: String
        let scopes: [String]
        let key: String
    }

    struct ListedKey: Encodable {
        let name: String
        let scopes: [String]
        let createdAt: String
        let createdBy: String
        let revokedAt: String?
    }
}
