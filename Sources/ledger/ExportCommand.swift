import ArgumentParser

/// `ledger export`: writes a whole body of data to standard output; `contacts` for now.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write data out in bulk to standard output.",
        subcommands: [ExportContactsCommand.self]
    )
}
