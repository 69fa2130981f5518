import ArgumentParser
import LedgerProjections
import LedgerStore

/// `ledger export contacts`: every live contact (not erased, not merged away) as NDJSON or CSV,
/// streamed from one snapshot of the contact projection after catching it up with the log.
struct ExportContactsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contacts",
        abstract: "Write every contact to standard output, one per line, in stream order.",
        discussion: """
            Erased and merged-away contacts are left out. NDJSON lines are the documents of \
            `contact show --json`. CSV has the standard columns, one column per custom field \
            (sorted by name), `segments` (joined with ;) and a `consent_<channel>` status per \
            channel; fields are quoted as RFC 4180 says and lines end in CRLF. A value or \
            header that a spreadsheet could run as a formula (starting with =, +, -, @, tab or \
            CR) is written with a leading ' inside double quotes; a custom field named like a \
            fixed column, or starting with field:, gets the header field:NAME.
            """
    )

    /// The formats of the export.
    enum Format: String, CaseIterable, ExpressibleByArgument {
        /// One JSON document per line.
        case ndjson
        /// Comma-separated values with a header row.
        case csv
    }

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "The output format.")
    var format: Format = .ndjson

    func run() throws {
        let ledger = try storeOptions.open()
        defer { ledger.close() }
        let runner = ProjectionRunner(ledger: ledger, projection: ContactProjection(ledger: ledger))
        let store = try runner.openStore()
        defer { store.close() }
        try runner.catchUp(store: store)
        // The contact table's name is the projection's own (ContactProjection.tables); it is read
        // here in one transaction rather than through ContactDirectory.forEach so that the CSV's
        // header pass and row pass see the same snapshot, whatever another process applies.
        let table = try ContactTables(store).contacts
        var output = BufferedOutput()
        try store.read { transaction in
            switch format {
            case .ndjson:
                try Self.forEachExported(table, in: transaction) { contact in
                    try output.write(contact.document.jsonText + "\n")
                }
            case .csv:
                var names = Set<String>()
                try Self.forEachExported(table, in: transaction) { names.formUnion($0.fields.keys) }
                let csv = ContactCSV(fieldNames: names)
                try output.write(csv.header)
                try Self.forEachExported(table, in: transaction) { try output.write(csv.row($0)) }
            }
        }
        try output.flush()
    }

    /// Calls `body` with each contact that is neither erased nor merged away, in stream order.
    static func forEachExported(_ table: ProjectionStore.Table, in transaction: ProjectionTransaction, _ body: (ContactState) throws -> Void) throws {
        try transaction.forEach(table) { _, value in
            let contact = try ContactState(decoding: value)
            if !contact.erased && contact.mergedInto == nil { try body(contact) }
            return true
        }
    }
}
