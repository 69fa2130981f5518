import ArgumentParser
import LedgerContacts
import LedgerDomain
import LedgerProjections
import LedgerStore

/// `ledger history KEY`: every change to a contact, oldest first, with who made it and from where.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show every change to a contact, oldest first.",
        discussion: """
            Each entry gives the log position, the time (ISO 8601, UTC), the actor (kind:name), \
            the source (file and row, API key and request, form, migration batch, CLI command) \
            and what changed: each field's old → new value, or the identifier, consent or \
            segment change in words. Erased or sealed personal values print as [erased].
            """
    )

    @OptionGroup var options: ContactBookOptions
    @Argument(help: "A contact key: #N or id:N (a contact number), an e-mail, a phone, or ext:ID.") var key: String
    @Option(help: "Only changes of this field: firstName, lastName, birthDate, languageCode, timeZone, email, phone, externalId or a custom field's name.")
    var field: String?
    @OptionGroup var time: AuditTimeOptions
    @Option(help: "Only changes made by this actor: kind:name (e.g. api-key:crm-sync), or a bare name for any kind.")
    var actor: String?
    @Flag(help: "Print the entries as a JSON array.") var json = false

    func run() throws {
        let (book, close) = try options.open()
        defer { close() }
        let id = try options.contact(key, in: book)
        let bounds = try time.bounds()
        let filter = HistoryFilter(field: field, since: bounds.since, until: bounds.until, actor: actor.map(ActorPattern.init(parsing:)))
        let entries = try ContactHistory.entries(try book.ledger.readStream(id), matching: filter, keys: book.ledger.keyRing())
        if json {
            try Output.jsonArray(entries.map(\.document))
            return
        }
        var table = TextTable(["POSITION", "TIME", "ACTOR", "SOURCE", "CHANGE"])
        for entry in entries {
            for (index, change) in entry.changes.enumerated() {
                if index == 0 {
                    table.add([String(entry.position), Timestamp.iso8601(microseconds: entry.recordedAt), entry.actor.description, entry.source.summary, change.summary])
                } else {
                    table.add(["", "", "", "", change.summary])
                }
            }
        }
        Output.line("history of contact \(id)")
        if entries.isEmpty {
            Output.line("  no change matches")
        } else {
            Output.line(table.text)
        }
    }
}
