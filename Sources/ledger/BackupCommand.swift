import ArgumentParser
import LedgerStore

/// `ledger backup DEST`: a hot, consistent, compacted copy of the log.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the ledger, consistently and compacted, while it is in use.",
        discussion: "Projections are not copied: they are folded from the log again after a restore."
    )

    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: "An empty or new directory for the copy.") var destination: String

    func run() throws {
        let ledger = try storeOptions.open()
        defer { ledger.close() }
        try ledger.backup(to: destination)
        let copy = try Ledger(directory: destination)
        defer { copy.close() }
        let report = try copy.verify()
        guard report.isValid else {
            throw CommandFailure(.failure, "the copy in \(destination) does not verify: first bad position \(report.firstBadPosition.map(String.init) ?? "unknown")")
        }
        Output.line("backed up \(report.events) events to \(destination) (verified, head hash \(report.headHash))")
    }
}

/// `ledger restore SRC`: replaces the store with a backup, refused while the store is in use.
struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Replace the store with a backup (refused while any process uses the store)."
    )

    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: "A directory written by `ledger backup`.") var source: String

    func run() throws {
        let replaced = try Ledger.restore(from: source, to: storeOptions.directory)
        Output.line("restored \(source) into \(storeOptions.directory)")
        if let replaced { Output.line("the replaced store was kept in \(replaced)") }
    }
}
