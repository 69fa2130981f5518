import ArgumentParser
import LedgerDomain
import LedgerProjections
import LedgerStore

/// `ledger audit actor NAME`: everything one API key, user, form or system part recorded.
struct AuditActorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "actor",
        abstract: "List every event one actor recorded, across every contact, oldest first.",
        discussion: "NAME is kind:name (api-key, user, form or system), or a bare name, which matches that name under any kind. The whole log is scanned."
    )

    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: "The actor: kind:name or a bare name.") var name: String
    @OptionGroup var time: AuditTimeOptions
    @Flag(help: "Print the events as a JSON array.") var json = false

    /// One event of the audit, as JSON.
    struct Row: Encodable {
        let position: UInt64
        let recordedAt: String
        let stream: UInt64
        let type: String
        let typeVersion: UInt16
        let actor: String
        let source: AuditSourceDocument
    }

    func run() throws {
        let pattern = ActorPattern(parsing: name)
        let bounds = try time.bounds()
        let filter = HistoryFilter(since: bounds.since, until: bounds.until, actor: pattern)
        let ledger = try storeOptions.open()
        defer { ledger.close() }
        var rows = [Row]()
        try ledger.forEachEvent { event in
            guard filter.admits(event) else { return }
            rows.append(Row(
                position: event.position, recordedAt: Timestamp.iso8601(microseconds: event.recordedAt),
                stream: event.stream.rawValue, type: event.type.name, typeVersion: event.type.version,
                actor: event.actor.description, source: AuditSourceDocument(event.source)
            ))
        }
        if json {
            try Output.jsonArray(rows)
            return
        }
        guard !rows.isEmpty else {
            Output.line("no events by \(pattern)")
            return
        }
        var table = TextTable(["POSITION", "TIME", "STREAM", "TYPE", "ACTOR", "SOURCE"])
        for row in rows {
            table.add([String(row.position), row.recordedAt, String(row.stream), row.type, row.actor, row.source.summary])
        }
        Output.line(table.text)
    }
}
