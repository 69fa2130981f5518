import ArgumentParser

/// `ledger export`: writes a whole body of data to standard output: every contact, or one subject.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write data out in bulk to standard output.",
        subcommands: [ExportContactsCommand.self, ExportSubjectCommand.self]
    )
}
