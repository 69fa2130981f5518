import ArgumentParser

/// `ledger`: the command line of ContactLedger.
@main
struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "ContactLedger: an event-sourced contact base on LMDB.",
        discussion: "The store is ./ledger-data unless --store or LEDGER_STORE says otherwise.",
        version: "0.1.0",
        subcommands: [
            VerifyCommand.self, StatsCommand.self, EventsCommand.self,
            ContactCommand.self, ConsentCommand.self, FieldCommand.self,
            RebuildCommand.self, ExportCommand.self, ImportCommand.self,
            BackupCommand.self, RestoreCommand.self,
            HistoryCommand.self, WhoChangedCommand.self, AuditCommand.self, EraseCommand.self,
        ]
    )
}
