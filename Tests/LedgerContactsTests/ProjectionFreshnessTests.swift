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
/// answered at once, read through the overlay, and recorded once that writer has projected
/// its batch (decision 0020, addenda).
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

    /// Waits (up to a minute, for a loaded machine) until the service's overlay is empty.
    static func overlayEmptied(_ fixture: Fixture) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while fixture.book.overlaidBatches > 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(fixture.book.overlaidBatches == 0)
    }

    @Test("an upsert is decided against the projection as it stands, answered without waiting for the other writer, readable at once through the overlay, and recorded once that writer has projected its batch")
    func overlaidUntilTheOtherWriterProjects() async throws {
        let fixture = try Fixture()
        _ = try fixture.book.directory()
        let end = try Self.appendUnprojected(fixture, contacts: 600)
        let decidedAt = Mutex<UInt64?>(nil)
        let book = fixture.book
        // However slow the machine, the overlay waits for the other writer rather than fold.
        book.overlayPatience.withLock { $0 = .seconds(3_600) }
        book.beforeAppend.withLock {
            $0 = { _, _ in
                let seen = try? book.store.read { try $0.checkpoint() }
                decidedAt.withLock { $0 = seen }
            }
        }
        let service = ContactService(book: fixture.book)
        let outcome = try await service.upsert(Self.item("new@example.com", name: "New"), match: .email, channel: .api, actor: fixture.actor)
        guard case .created(let id, _) = outcome else { Issue.record("\(outcome)"); return }
        // Decided without folding the 1,200 events in (the projection stood before them), and
        // answered with its batch in the overlay: nobody has projected the other batch yet.
        #expect(decidedAt.withLock { $0 } ?? .max < end)
        #expect(try Self.checkpoint(fixture) < end)
        #expect(book.deferredBatches == 1)
        #expect(book.overlaidBatches == 1)
        #expect(book.recordedAfterWaiting == 0)
        // Readable by the next request, by number and by e-mail, on either read path.
        #expect(try await service.contact(named: .email("new@example.com"))?.id == id)
        #expect(try await service.contact(id)?.firstName == "New")
        #expect(try book.contact(named: .email("new@example.com"), freshness: .present)?.id == id)
        #expect(try book.contactAsItStands(named: .number(id)) { _, state in state.firstName } == .some("New"))
        // The other writer projects its batch; the service's look then records its own.
        _ = try book.runner.catchUp(store: book.store, through: end)
        try await Self.overlayEmptied(fixture)
        #expect(book.waitsRanOut == 0)
        #expect(try await service.contact(named: .email("new@example.com"))?.id == id)
        try Self.expectProjectionValid(fixture)
    }

    @Test("when nobody projects the batch before it, the overlay's batch has the gap folded in once it stood still")
    func overlayFoldsAStalledGap() async throws {
        let fixture = try Fixture()
        _ = try fixture.book.directory()
        try Self.appendUnprojected(fixture, contacts: 600)
        let service = ContactService(book: fixture.book)
        let outcome = try await service.upsert(Self.item("new@example.com"), match: .email, channel: .api, actor: fixture.actor)
        #expect(try await service.contact(named: .email("new@example.com"))?.id == outcome.contact)
        try await Self.overlayEmptied(fixture)
        #expect(fixture.book.waitsRanOut == 1)
        #expect(fixture.book.recordedAfterWaiting == 0)
        #expect(try await service.contact(named: .email("new@example.com"))?.id == outcome.contact)
        #expect(try await service.contact(named: .email("other-5@example.com")) != nil)
        try Self.expectProjectionValid(fixture)
    }

    @Test("the overlay answers for identifiers a deferred batch took away and gave, and a later decision on its contact is refused and decided again, caught up")
    func overlayIdentifiersAndLaterDecisions() async throws {
        let fixture = try Fixture()
        let service = ContactService(book: fixture.book)
        func input(_ email: String, name: String) -> UpsertItem {
            UpsertItem(input: ContactInput(email: email, externalId: "crm-1", fields: [(.standard(.firstName), .text(name))]), source: .api(key: "crm", requestID: "r"))
        }
        fixture.book.overlayPatience.withLock { $0 = .seconds(3_600) }
        let created = try await service.upsert(input("old@example.com", name: "One"), match: .externalId, channel: .api, actor: fixture.actor)
        try Self.appendUnprojected(fixture, contacts: 600)
        // The e-mail changes while the other batch is unprojected: the old one is taken away.
        let changed = try await service.upsert(input("new@example.com", name: "Two"), match: .externalId, channel: .api, actor: fixture.actor)
        #expect(changed == .updated(created.contact, events: 3))
        #expect(fixture.book.overlaidBatches == 1)
        #expect(try await service.contact(named: .email("old@example.com")) == nil)
        #expect(try await service.contact(named: .email("new@example.com"))?.firstName == "Two")
        #expect(try await service.contact(named: .externalID("crm-1"))?.email == "new@example.com")
        // Decided from the projection as it stands, which has the contact's older version: the
        // commit refuses it, and it is decided again on the projection caught up. (On a machine
        // so loaded that the projection stood still behind the log for `stalledAfter` meanwhile,
        // the decision folds the gap in first and is right the first time.) Either way the
        // change is one event on the overlay's state, not three on the projection's older one.
        let again = try await service.upsert(input("new@example.com", name: "Three"), match: .externalId, channel: .api, actor: fixture.actor)
        #expect(again == .updated(created.contact, events: 1))
        #expect(fixture.book.decidedAgain <= 1)
        #expect(try await service.contact(created.contact)?.firstName == "Three")
        try await Self.overlayEmptied(fixture)
        try Self.expectProjectionValid(fixture)
    }

    @Test("a request that sets back a value an overlaid batch changed is decided caught up, not answered unchanged from the projection")
    func settingBackAnOverlaidChange() async throws {
        let fixture = try Fixture()
        let service = ContactService(book: fixture.book)
        fixture.book.overlayPatience.withLock { $0 = .seconds(3_600) }
        let created = try await service.upsert(Self.item("back@example.com", name: "One"), match: .email, channel: .api, actor: fixture.actor)
        try Self.appendUnprojected(fixture, contacts: 600)
        // Answered from the overlay: the projection still says One.
        #expect(try await service.upsert(Self.item("back@example.com", name: "Two"), match: .email, channel: .api, actor: fixture.actor) == .updated(created.contact, events: 1))
        #expect(fixture.book.overlaidBatches == 1)
        // From the projection alone this would change nothing, and Two would stay.
        let back = try await service.upsert(Self.item("back@example.com", name: "One"), match: .email, channel: .api, actor: fixture.actor)
        #expect(back == .updated(created.contact, events: 1))
        #expect(try await service.contact(created.contact)?.firstName == "One")
        try await Self.overlayEmptied(fixture)
        #expect(try await service.contact(created.contact)?.firstName == "One")
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
