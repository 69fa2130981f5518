import ArgumentParser
import Foundation

/// `ledger`: the command line of ContactLedger.
@main
struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "ContactLedger: an event-sourced contact base on LMDB.",
        discussion: """
            The store is ./ledger-data unless --store or LEDGER_STORE says otherwise. Exit status: \
            0 ok, 1 failure, 2 partly applied (an import with rejected rows), 64 usage, 65 bad data, \
            66 no such file, store or contact, 74 I/O error (docs/operations.md).
            """,
        version: "0.1.0",
        subcommands: [
            VerifyCommand.self, StatsCommand.self, EventsCommand.self,
            ContactCommand.self, ConsentCommand.self, FieldCommand.self,
            RebuildCommand.self, ExportCommand.self, ImportCommand.self,
            BackupCommand.self, RestoreCommand.self,
            HistoryCommand.self, WhoChangedCommand.self, AuditCommand.self, EraseCommand.self,
            SegmentCommand.self,
            TokensCommand.self, VapidCommand.self,
            ServeCommand.self, ApiKeyCommand.self, MailCommand.self,
            FormCommand.self, DoiCommand.self,
        ]
    )

    /// Parses and runs the command, and ends the process with the status `ExitStatus` gives
    /// the outcome: the only place an error becomes an exit status and a message.
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let unknown = unknownHelpTopic(arguments) {
            finish(.usage, "Error: no command \(unknown); `ledger --help` lists them")
        }
        var command: any ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            finishAsParser(error)
        }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error where error is ValidationError || error is ExitCode || error is CleanExit {
            // A usage error found while running gets ArgumentParser's banner, as at parse time;
            // ArgumentParser ends with 0 for help and version, and an ExitCode with its own code.
            finishAsParser(error)
        } catch {
            guard let (status, message) = ExitStatus.of(error) else { finishAsParser(error) }
            finish(status, "Error: " + message)
        }
        finish(.ok, nil)
    }

    /// Ends with ArgumentParser's own message and status (help, version, usage errors),
    /// escaped for the terminal like every other message.
    private static func finishAsParser(_ error: any Error) -> Never {
        let code = exitCode(for: error)
        let text = fullMessage(for: error)
        if !text.isEmpty {
            if code == .success { Output.line(text) } else { Output.error(text) }
        }
        Foundation.exit(code.rawValue)
    }

    private static func finish(_ status: ExitStatus, _ message: String?) -> Never {
        if let message { Output.error(message) }
        Foundation.exit(status.rawValue)
    }

    /// The first name after `help` that is not a command (ArgumentParser would show the
    /// top-level help and exit 0), or nil.
    static func unknownHelpTopic(_ arguments: [String]) -> String? {
        guard arguments.first == "help" else { return nil }
        var level: [any ParsableCommand.Type] = configuration.subcommands
        for name in arguments.dropFirst() where !name.hasPrefix("-") {
            guard let match = level.first(where: { $0._commandName == name }) else { return name }
            level = match.configuration.subcommands
        }
        return nil
    }
}
