import ArgumentParser

/// `ledger audit`: questions asked across every contact; `actor` for now.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Audit the log across every contact.",
        subcommands: [AuditActorCommand.self]
    )
}
