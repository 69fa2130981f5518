import ArgumentParser
import LedgerContacts
import LedgerDomain
import LedgerProjections
import LedgerStore

/// `ledger who-changed KEY --field F`: who changed one field of a contact, and when.
struct WhoChangedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "who-changed",
        abstract: "Show who changed one field of a contact, when, from where, and from what to what."
    )

    @OptionGroup var options: ContactBookOptions
    @Argument(help: "A contact key: #N or id:N (a contact number), an e-mail, a phone, or ext:ID.") var key: String
    @Option(help: "The field: firstName, lastName, birthDate, languageCode, timeZone, email, phone, externalId or a custom field's name.")
    var field: String

    func run() throws {
        let (book, close) = try options.open()
        defer { close() }
        let id = try options.contact(key, in: book)
        let entries = try ContactHistory.entries(try book.ledger.readStream(id), matching: HistoryFilter(field: field), keys: book.ledger.keyRing())
        guard !entries.isEmpty else {
            Output.line("no recorded change of \(field) on contact \(id)")
            return
        }
        var table = TextTable(["TIME", "ACTOR", "SOURCE", "CHANGE"])
        for entry in entries {
            for change in entry.changes {
                table.add([Timestamp.iso8601(microseconds: entry.recordedAt), entry.actor.description, entry.source.summary, change.detail])
            }
        }
        Output.line(table.text)
    }
}
