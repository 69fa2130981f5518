import LedgerContacts
import LedgerDomain
import LedgerIdentity
import LedgerProjections
import LedgerStore

/// The server's one door to the contact write side: every handler goes through it, and it
/// goes through `ContactService`, the same write path as the CLI and the importer. Single
/// upserts of concurrent requests share a commit there (group commit); LMDB's blocking work
/// runs on the service's own threads, never on the cooperative pool that serves requests.
final class ContactWriter: Sendable {
    /// The write path.
    let service: ContactService
    /// The contact book underneath, for reads the service has no method for.
    var book: ContactBook { service.book }

    init(service: ContactService) {
        self.service = service
    }

    func upsert(_ item: UpsertItem, match: MatchRule, options: UpsertOptions = UpsertOptions(), channel: EntryChannel, actor: Actor) async throws -> UpsertOutcome {
        try await service.upsert(item, match: match, options: options, channel: channel, actor: actor)
    }

    func upsert(_ items: [UpsertItem], match: MatchRule, options: UpsertOptions = UpsertOptions(), channel: EntryChannel, actor: Actor, dryRun: Bool = false) async throws -> [Result<UpsertOutcome, ContactError>] {
        try await service.upsert(items, match: match, options: options, channel: channel, actor: actor, dryRun: dryRun)
    }

    func setConsent(_ id: StreamID, scope: ConsentScope, change: ConsentChange, evidence: ConsentEvidence = .none, actor: Actor, source: Source) async throws {
        try await service.setConsent(id, scope: scope, change: change, evidence: evidence, actor: actor, source: source)
    }

    func erase(_ id: StreamID, reason: String, actor: Actor, source: Source) async throws -> Erasure {
        try await service.erase(id, reason: reason, actor: actor, source: source)
    }

    func resolve(_ key: ContactKey) async throws -> StreamID? {
        try await service.resolve(key)
    }

    func contact(_ id: StreamID) async throws -> ContactState? {
        try await service.contact(id)
    }

    func contact(named key: ContactKey) async throws -> ContactState? {
        try await service.contact(named: key)
    }

    /// Runs `body` on a reader thread of the service.
    func read<Value: Sendable>(_ body: @escaping @Sendable (ContactBook) throws -> Value) async throws -> Value {
        try await service.read(body)
    }
}
