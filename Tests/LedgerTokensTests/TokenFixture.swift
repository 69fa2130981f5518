import Foundation
import LedgerContacts
import LedgerDomain
import LedgerIdentity
import LedgerImport
import LedgerProjections
import LedgerStore
import LedgerTokens

/// A fresh ledger in a temporary folder with a token book on it, and the fixture files.
final class TokenFixture {
    let directory: String
    let ledger: Ledger
    let book: TokenBook
    let actor = Actor(.user, "ops")

    init() throws {
        directory = NSTemporaryDirectory() + "token-tests-\(UUID().uuidString)"
        ledger = try Ledger(directory: directory)
        book = try TokenBook(ledger: ledger)
    }

    deinit {
        book.close()
        ledger.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    static func fixture(_ name: String) -> URL {
        Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil)
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
    }

    /// The fixtures' VAPID pair (tools/make-token-fixtures).
    static func vapid() throws -> (publicKey: String, privateKey: String, otherPrivateKey: String) {
        let data = try Data(contentsOf: fixture("vapid.json"))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: String] ?? [:]
        return (object["publicKey"] ?? "", object["privateKey"] ?? "", object["otherPrivateKey"] ?? "")
    }

    func options(format: TokenImportOptions.Format = .auto, match: TokenImportOptions.Match? = nil, vapidKey: String? = nil, dryRun: Bool = false) -> TokenImportOptions {
        TokenImportOptions(
            provider: "onesignal", origin: "https://shop.example", vapidKey: vapidKey, match: match, format: format,
            dryRun: dryRun, batchSize: 3, actor: actor, now: 1_765_000_000_000_000)
    }

    func importFile(_ name: String, _ options: TokenImportOptions? = nil, url: URL? = nil) throws -> TokenImportSummary {
        try TokenImporter(book: book).run(url ?? Self.fixture(name), options: options ?? self.options())
    }

    /// Creates a contact with this e-mail and external id; returns its stream.
    func contact(email: String, externalId: String?) throws -> StreamID {
        let contacts = try ContactBook(ledger: ledger)
        defer { contacts.close() }
        let outcome = try contacts.upsert(
            ContactInput(email: email, externalId: externalId), match: try MatchRule(parsing: "email"), channel: .api, actor: actor,
            source: .api(key: "crm", requestID: UUID().uuidString))
        guard case .created(let stream, _) = outcome else { throw TokenError(.notFound, "not created") }
        return stream
    }

    /// Every token's state.
    func tokens() throws -> [TokenState] {
        var states = [TokenState]()
        try book.directory().forEach { states.append($0) }
        return states
    }
}
