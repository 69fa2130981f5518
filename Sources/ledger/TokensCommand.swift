import ArgumentParser
import Foundation
import LedgerContacts
import LedgerDomain
import LedgerProjections
import LedgerStore
import LedgerTokens

/// `ledger tokens …`: push tokens, their provenance, and which of them can be used.
struct TokensCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Push tokens: import from a previous provider, provenance, status, erasure.",
        subcommands: [TokensImportCommand.self, TokensListCommand.self, TokensProvenanceCommand.self, TokensReportCommand.self, TokensEraseCommand.self]
    )
}

/// Opening the token book, and finding the tokens a TOKEN or CONTACT argument names.
struct TokenBookOptions: ParsableArguments {
    @OptionGroup var storeOptions: StoreOptions

    /// Runs `body` with the token book on the store.
    func withBook<Result>(_ body: (TokenBook) throws -> Result) throws -> Result {
        try storeOptions.withLedger { ledger in
            let book = try TokenBook(ledger: ledger)
            defer { book.close() }
            return try body(book)
        }
    }

    /// The tokens `key` names: `token:N`, an endpoint URL, `device:TOKEN` (a mobile device
    /// token), or a contact key (`#12`, an e-mail, a phone, `ext:ID`) for the contact's tokens.
    static func tokens(_ key: String, in book: TokenBook) throws -> [StreamID] {
        if key.hasPrefix("token:") {
            guard let number = UInt64(key.dropFirst(6)), number > 0, number <= StreamID.maxNumberInCategory else {
                throw CommandFailure(.usage, "\(key) is not a token key: write token:N with N the token's number")
            }
            return [StreamID(category: .token, number: number)]
        }
        if key.hasPrefix("https://") || key.hasPrefix("http://") || key.hasPrefix("device:") {
            let endpoint = key.hasPrefix("device:") ? String(key.dropFirst(7)) : key
            guard let stream = try book.directory().token(endpoint: endpoint) else {
                throw CommandFailure(.noInput, "no token has that endpoint (or it was erased)")
            }
            return [stream]
        }
        let contacts = try ContactBook(ledger: book.ledger)
        defer { contacts.close() }
        guard let contact = try contacts.resolve(key: key) else {
            throw CommandFailure(.noInput, "no token or contact has the key \(key) (token:N, an endpoint URL, device:TOKEN, or a contact key)")
        }
        return try book.directory().tokens(ofContact: contact)
    }
}

/// A token's number as shown: `token:N`.
func tokenLabel(_ stream: StreamID) -> String { "token:\(stream.numberInCategory)" }

/// Now, in microseconds since 1970.
func nowMicroseconds() -> Int64 { Int64(Date().timeIntervalSince1970 * 1_000_000) }
