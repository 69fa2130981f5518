import ArgumentParser
import LedgerContacts
import LedgerDomain

/// `ledger field define NAME --type T`.
struct FieldCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "field",
        abstract: "Declare custom fields.",
        subcommands: [Define.self]
    )

    /// Declares one custom field.
    struct Define: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Declare a custom field and its type.")
        @OptionGroup var options: ContactBookOptions
        @Argument(help: "The field's name.") var name: String
        @Option(help: "text, number, date or bool.") var type: String
        @OptionGroup var actor: ActorOption

        func run() async throws {
            guard let fieldType = FieldType(rawValue: type) else {
                throw ValidationError("--type must be one of \(FieldType.allCases.map(\.label).joined(separator: ", "))")
            }
            try await options.withService(create: true) { service in
                try await service.defineField(name, type: fieldType, actor: actor.value, source: .cli(command: "field define"))
            }
            Output.line("field \(name) is \(fieldType.label)")
        }
    }
}
