import Dispatch
import Foundation
@testable import LedgerContacts
import LedgerDomain
import LedgerIdentity
import LedgerProjections
@testable import LedgerStore
import Synchronization
import Testing

/// The service beside another writer whose batch is appended and not yet projected (an import
/// in another process): decisions and reads use the projection as it stands, and a commit is
/// recorded once that writer has projected its batch (decision 0020, addendum).
@Suite("Decisions and reads beside another writer's unprojected batch", .serialized)
struct ProjectionFreshnessTests {
    /// Appends `count` new contacts (`other-N@example.com`, with their identity claims) the way
    /// another process would, without projecting them; returns the log's last position.
    @discardableResult
    static func appendUnprojected(_ fixture: Fixture, contacts count: Int, first: Int = 0) throws -> UInt64 {
        let decidedAt = try fixture.ledger.lastPosition()
        let requests = try (first..<(first + count)).map { n in
            let events = [
                ContactEvent.contactCreated(ContactCreated(channel: .import)),
                ContactEvent.identifierAdded(IdentifierChange(kind: .email, value: "other-\(n)@example.com")),
            ]
            let identity = fixture.book.identityChanges(before: [], events: events, decidedAt: decidedAt)
            let recorded = events.map { $0.newEvent(actor: Actor(.user, "importer"), source: .cli(command: "import")) }
            return try #require(try fixture.book.sealed([AppendRequest(target: .new, expected: .noStream, events: recorded, identity: identity)], keys: fixture.ledger.keyRing()).first)
        }
        _ = try fixture.ledger.append(requests)
        return try fixture.ledger.lastPosition()
    }

    static func item(_ email: String, name: String? = nil) -> UpsertItem {
        ContactServiceTests.item(email, name: name)
    }

    static func checkpoint(_ fixture: Fixture) throws -> UInt64 {
        try fixture.book.store.read { try $0.checkpoint() }
    }

    static func expectProjectionValid(_ fixture: Fixture) throws {
        let check = try ContactProjectionCheck.run(ledger: fixture.ledger, store: fixture.book.store)
        #expect(check.isValid, "\(check.differences)")
        #expect(check.checkpoint == (try fixture.ledger.lastPosition()))
    }

    @Test("an upsert is decided against the projection as it stands and recorded once the other writer has projected its batch")
    func recordedAfterTheOtherWriter() async throws {
        let fixture = try Fixture()
        _ = try fixture.book.directory()
        let end = try Self.appendUnprojected(fixture, contacts: 600)
        let decidedAt = Mutex<UInt64?>(nil)
        let book = fixture.book
        // However slow the machine, the service waits for the other writer rather than fold.
        book.projectionWaitLimit.withLock { $0 = .seconds(60) }
        // The other writer projects its batch once this upsert's events are committed after it.
        book.beforeAppend.withLock {
            $0 = { _, _ in
                let seen = try? book.store.read { try $0.checkpoint() }
                decidedAt.withLock { $0 = seen }
                DispatchQueue.global().async {
                    let deadline = ContinuousClock.now + .seconds(60)
                    while (try? book.ledger.lastPosition()) == end, ContinuousClock.now < deadline { usleep(1_000) }
                    _ = try? book.runner.catchUp(store: book.store, through: end)
                }
            }
        }
        let service = ContactService(book: fixture.book)
        let outcome = try await service.upsert(Self.item("new@example.com", name: "New"), match: .email, channel: .api, actor: fixture.actor)
        guard case .created(let id, _) = outcome else { Issue.record("\(outcome)"); return }
        // Decided without folding the 1,200 events in: the projection stood before them.
        #expect(decidedAt.withLock { $0 } ?? .max < end)
        #expect(fixture.book.recordedAfterWaiting == 1)
        #expect(fixture.book.waitsRanOut == 0)
        // Readable by the next request.
        #expect(try await service.contact(named: .email("new@example.com"))?.id == id)
        try Self.expectProjectionValid(fixture)
    }

    @Test("when nobody projects the batch before it, the writer folds it in after the wait")
    func foldedAfterTheWait() async throws {
        let fixture = try Fixture()
        _ = try fixture.book.directory()
        try Self.appendUnprojected(fixture, contacts: 600)
        let service = ContactService(book: fixture.book)
        let started = ContinuousClock.now
        let outcome = try await service.upsert(Self.item("new@example.com"), match: .email, channel: .api, actor: fixture.actor)
        #expect(started.duration(to: .now) >= ContactBook.projectionWait)
        #expect(fixture.book.waitsRanOut == 1)
        #expect(fixture.book.recordedAfterWaiting == 0)
        #expect(try await service.contact(named: .email("new@example.com"))?.id == outcome.contact)
        #expect(try await service.contact(named: .email("other-5@example.com")) != nil)
        try Self.expectProjectionValid(fixture)
    }

    @Test("a stale decision that takes an identifier the unprojected batch holds is refused at commit and decided again, caught up")
    func staleDecisionDecidedAgain() async throws {
        let fixture = try Fixture()
        _ = try fixture.book.directory()
        try Self.appendUnprojected(fixture, contacts: 600)
        let service = ContactService(book: fixture.book)
        let outcome = try await service.upsert(Self.item("other-7@example.com", name: "Seven"), match: .email, channel: .api, actor: fixture.actor)
        guard case .updated(let id, _) = outcome else { Issue.record("expected an update of the other writer's contact: \(outcome)"); return }
        #expect(fixture.book.decidedAgain == 1)
        let state = try #require(try await service.contact(id))
        #expect(state.email == "other-7@example.com")
        #expect(state.firstName == "Seven")
        try Self.expectProjectionValid(fixture)
    }

    @Test("a present read folds a small gap in at once, serves a large one as it stands, and folds it in once it stood still")
    func presentReads() throws {
        let fixture = try Fixture()
        _ = try fixture.book.directory()
        try Self.appendUnprojected(fixture, contacts: 3)
        #expect(try fixture.book.contact(named: .email("other-1@example.com"), freshness: .present) != nil)
        let end = try Self.appendUnprojected(fixture, contacts: 600, first: 10)
        #expect(try fixture.book.contact(named: .email("other-20@example.com"), freshness: .present) == nil)
        #expect(try Self.checkpoint(fixture) < end)
        Thread.sleep(forTimeInterval: 1.2)
        #expect(try fixture.book.contact(named: .email("other-20@example.com"), freshness: .present) != nil)
        #expect(try Self.checkpoint(fixture) == end)
        // A caught-up read sees everything at once, whatever the gap.
        try Self.appendUnprojected(fixture, contacts: 600, first: 1_000)
        #expect(try fixture.book.contact(named: .email("other-1500@example.com")) != nil)
    }
}
