import ArgumentParser
import Foundation
import LedgerDomain
import LedgerProjections
import LedgerTokens

/// `ledger vapid add|generate|list`: the VAPID key pairs push messages are signed with.
struct VapidCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vapid",
        abstract: "VAPID key pairs: bring the previous provider's, or generate our own.",
        subcommands: [VapidAddCommand.self, VapidGenerateCommand.self, VapidListCommand.self]
    )
}

/// `ledger vapid add --public-key K --private-key K --origin URL`.
struct VapidAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Store a VAPID key pair from the previous provider, sealed; the private key is never shown again.",
        discussion: "A private key that does not derive the public key is refused. Pass --private-key - to read it from standard input, out of the shell's history."
    )

    @OptionGroup var options: TokenBookOptions
    @Option(name: .customLong("public-key"), help: "The public key, base64url (65-byte uncompressed P-256 point).") var publicKey: String
    @Option(name: .customLong("private-key"), help: "The private key, base64url (32 bytes), or - to read it from standard input.") var privateKey: String
    @Option(help: "A site origin served with this key, e.g. https://shop.example; repeatable.") var origin: [String] = []
    @OptionGroup var actor: ActorOption

    func run() throws {
        let secret = privateKey == "-" ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) : privateKey
        let pair: VapidKeyPair
        do {
            pair = try VapidKeyPair(publicKey: publicKey, privateKey: secret)
        } catch {
            throw CommandFailure(.dataError, "the VAPID key pair is refused: \(error)")
        }
        try options.storeOptions.withLedger(create: true) { ledger in
            let book = try TokenBook(ledger: ledger)
            defer { book.close() }
            let record = try book.addVapidKey(pair, origins: origin, generated: false, actor: actor.value, source: .cli(command: "vapid add"))
            Output.line("added VAPID key \(record.fingerprint) for \(record.origins.isEmpty ? "no origin yet" : record.origins.joined(separator: ", "))")
        }
    }
}

/// `ledger vapid generate --origin URL`.
struct VapidGenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate a VAPID key pair of our own; prints the public key (the private key stays sealed)."
    )

    @OptionGroup var options: TokenBookOptions
    @Option(help: "A site origin served with this key; repeatable.") var origin: [String] = []
    @OptionGroup var actor: ActorOption

    func run() throws {
        try options.storeOptions.withLedger(create: true) { ledger in
            let book = try TokenBook(ledger: ledger)
            defer { book.close() }
            let record = try book.addVapidKey(.generate(), origins: origin, generated: true, actor: actor.value, source: .cli(command: "vapid generate"))
            Output.line("generated VAPID key \(record.fingerprint)")
            Output.line("public key (applicationServerKey): \(record.publicKey)")
        }
    }
}

/// `ledger vapid list`.
struct VapidListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the VAPID keys held (public keys only).")

    @OptionGroup var options: TokenBookOptions

    func run() throws {
        try options.withBook { book in
            var table = TextTable(["fingerprint", "origin", "kind", "public key"])
            for key in try book.directory().vapidKeys() {
                table.add([key.fingerprint, key.origins.joined(separator: ","), key.generated ? "generated" : "brought", key.publicKey])
            }
            Output.line(table.text)
        }
    }
}
