import ArgumentParser
import Foundation
import LedgerContacts
import LedgerDomain
import LedgerForms
import LedgerStore

/// `ledger doi pending [--older-than 2d] [--json]`: contacts that never confirmed.
struct DoiCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doi",
        abstract: "Double opt-in: confirmations requested and never given (docs/forms.md).",
        subcommands: [Pending.self]
    )

    struct Pending: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List contacts whose confirmation is still awaited, oldest first.")
        @OptionGroup var options: ContactBookOptions
        @Option(name: .customLong("older-than"), help: "Only requests older than this, e.g. 2d or 36h (default: all).") var olderThan: String?
        @Flag(help: "Print them as a JSON array.") var json = false

        func run() async throws {
            let hours = try olderThan.map { try FormCommand.DefinitionOptions.hours($0, option: "--older-than") } ?? 0
            let before = Ledger.systemClock() - Int64(hours) * 3_600_000_000
            let pending = try await options.withService { service in
                try await service.read { try DoiPendingList.pending(book: $0, before: before) }
            }
            let rows = pending.map { item in
                Row(contact: item.contact.rawValue, channel: item.scope.channel.label, purpose: item.scope.purpose,
                    requestedAt: Timestamp.iso8601(microseconds: item.requestedAt), form: item.form, formVersion: item.formVersion, tokenId: item.tokenID)
            }
            if json {
                try Output.jsonArray(rows)
                return
            }
            guard !rows.isEmpty else {
                Output.line("no confirmation is awaited\(olderThan.map { " for longer than \($0)" } ?? "")")
                return
            }
            var table = TextTable(["CONTACT", "CHANNEL", "PURPOSE", "REQUESTED", "FORM"])
            for row in rows {
                table.add(["#\(row.contact)", row.channel, TerminalText.escaped(row.purpose), row.requestedAt,
                           row.form.map { TerminalText.escaped("\($0)@\(row.formVersion ?? 0)") } ?? "-"])
            }
            Output.line(table.text)
        }
    }

    struct Row: Encodable {
        let contact: UInt64
        let channel: String
        let purpose: String
        let requestedAt: String
        let form: String?
        let formVersion: UInt32?
        let tokenId: String
    }
}
