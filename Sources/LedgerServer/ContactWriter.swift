import Dispatch
import LedgerContacts
import LedgerDomain
import LedgerIdentity
import LedgerProjections
import LedgerStore

/// The server's one door to the contact write side: every handler goes through it, and it
/// goes through `ContactBook`, the same write path as the CLI and the importer.
///
/// LMDB's work blocks, so it runs on Dispatch threads, never on the cooperative pool that
/// serves requests. Its methods have the shape of `ContactService` (the lead's async facade
/// with group commit), so moving to it changes this file only.
final class ContactWriter: Sendable {
    /// The write side underneath.
    let book: ContactBook
    private let writer = DispatchQueue(label: "contactledger.server.writer")
    private let readers = DispatchQueue(label: "contactledger.server.readers", attributes: .concurrent)

    init(book: ContactBook) {
        self.book = book
    }

    func upsert(_ item: UpsertItem, match: MatchRule, options: UpsertOptions = UpsertOptions(), channel: EntryChannel, actor: Actor) async throws -> UpsertOutcome {
        let results = try await upsert([item], match: match, options: options, channel: channel, actor: actor)
        guard let first = results.first else { throw ContactError(.invalidRequest, "no outcome for the request") }
        return try first.get()
    }

    func upsert(_ items: [UpsertItem], match: MatchRule, options: UpsertOptions = UpsertOptions(), channel: EntryChannel, actor: Actor, dryRun: Bool = false) async throws -> [Result<UpsertOutcome, ContactError>] {
        try await write { try $0.upsert(items, match: match, options: options, channel: channel, actor: actor, dryRun: dryRun) }
    }

    func setConsent(_ id: StreamID, scope: ConsentScope, change: ConsentChange, evidence: ConsentEvidence = .none, actor: Actor, source: Source) async throws {
        try await write { try $0.setConsent(id, scope: scope, change: change, evidence: evidence, actor: actor, source: source) }
    }

    func erase(_ id: StreamID, reason: String, actor: Actor, source: Source) async throws -> Erasure {
        try await write { try $0.erase(id, reason: reason, actor: actor, source: source) }
    }

    func resolve(_ key: ContactKey) async throws -> StreamID? {
        try await read { try $0.resolve(key) }
    }

    func contact(_ id: StreamID) async throws -> ContactState? {
        try await read { try $0.contact(id) }
    }

    /// Runs `body` after every write queued before it, on the writer's thread.
    func write<Value: Sendable>(_ body: @escaping @Sendable (ContactBook) throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            writer.async { continuation.resume(with: Result { try body(self.book) }) }
        }
    }

    /// Runs `body` on a reader thread.
    func read<Value: Sendable>(_ body: @escaping @Sendable (ContactBook) throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            readers.async { continuation.resume(with: Result { try body(self.book) }) }
        }
    }
}
