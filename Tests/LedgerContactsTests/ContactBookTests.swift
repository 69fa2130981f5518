import Foundation
@testable import LedgerContacts
import LedgerDomain
import LedgerIdentity
import LedgerProjections
@testable import LedgerStore
import Synchronization
import Testing

/// A clock the test moves.
final class TestClock: Sendable {
    let now = Mutex<Int64>(1_780_000_000_000_000)
}

/// A ledger with a clock the test moves, and a contact book on it.
final class Fixture {
    let directory = NSTemporaryDirectory() + "ledger-contacts-\(UUID().uuidString)"
    let clock = TestClock()
    var now: Int64 { clock.now.withLock { $0 } }
    let ledger: Ledger
    let book: ContactBook
    let actor = Actor(.user, "tester")

    init() throws {
        let clock = clock
        ledger = try Ledger(directory: directory, options: .init(clock: { clock.now.withLock { $0 } }))
        book = try ContactBook(ledger: ledger, defaultRegion: "UA")
    }

    deinit {
        book.close()
        ledger.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    func advance(seconds: Int64) {
        clock.now.withLock { $0 += seconds * 1_000_000 }
    }

    @discardableResult
    func upsert(_ input: ContactInput, match: MatchRule = .emailOrPhone, options: UpsertOptions = UpsertOptions()) throws -> UpsertOutcome {
        try book.upsert(input, match: match, options: options, channel: .api, actor: actor, source: .api(key: "crm", requestID: UUID().uuidString))
    }
}

@Suite("The contact book", .serialized)
struct ContactBookTests {
    @Test("a new contact is created with normalised identifiers; the same request again changes nothing")
    func createThenUnchanged() throws {
        let fixture = try Fixture()
        let input = ContactInput(email: "  Olena@Example.COM ", phone: "067 123 45 67", fields: [(.standard(.firstName), .text("Olena"))], segments: ["vip"])
        let created = try fixture.upsert(input)
        guard case .created(let id, let events) = created else { Issue.record("expected a creation, got \(created)"); return }
        // One contact.created carrying the identifiers and the field (decision 0026), then the segment.
        #expect(events == 2)
        let state = try #require(try fixture.book.contact(id))
        #expect(state.email == "olena@example.com")
        #expect(state.phone == "+380671234567")
        #expect(state.firstName == "Olena")
        #expect(state.segments == ["vip"])
        let last = try fixture.ledger.lastPosition()
        #expect(try fixture.upsert(input) == .unchanged(id))
        #expect(try fixture.ledger.lastPosition() == last)
        #expect(try fixture.book.resolve(key: "+38 (067) 123-45-67") == id)
        #expect(try fixture.book.resolve(key: "OLENA@example.com") == id)
        #expect(try fixture.book.resolve(key: "#\(id)") == id)
        #expect(try fixture.book.resolve(key: "id:\(id)") == id)
    }

    @Test("an update records only the fields that changed; empty values keep old ones unless told")
    func updatesOnlyChanges() throws {
        let fixture = try Fixture()
        let id = try fixture.upsert(ContactInput(email: "ivan@example.com", fields: [(.standard(.firstName), .text("Ivan")), (.standard(.lastName), .text("Franko"))])).contact
        let before = try fixture.ledger.version(of: id)
        let outcome = try fixture.upsert(ContactInput(email: "ivan@example.com", fields: [(.standard(.firstName), .text("Ivan")), (.standard(.lastName), nil), (.custom("city"), .text("Lviv"))]))
        #expect(outcome == .updated(id, events: 2))
        let events = try fixture.ledger.readStream(id, fromVersion: before + 1).map { try ContactEvent(decoding: $0) }
        // The field's declaration went to the schema stream; the contact got the change.
        #expect(events.count == 1)
        guard case .contactFieldsChanged(let changed) = events.last else { Issue.record("expected fields-changed"); return }
        #expect(changed.changes.map(\.field) == [.custom("city")])
        #expect(try fixture.book.contact(id)?.lastName == "Franko")
        _ = try fixture.upsert(ContactInput(email: "ivan@example.com", fields: [(.standard(.lastName), nil)]), options: UpsertOptions(overwriteEmpty: true))
        #expect(try fixture.book.contact(id)?.lastName == nil)
    }

    @Test("an e-mail of one contact and a phone of another is an identity conflict naming both")
    func identityConflict() throws {
        let fixture = try Fixture()
        let first = try fixture.upsert(ContactInput(email: "a@example.com")).contact
        let second = try fixture.upsert(ContactInput(phone: "+380501112233")).contact
        let last = try fixture.ledger.lastPosition()
        let error = #expect(throws: ContactError.self) {
            try fixture.upsert(ContactInput(email: "a@example.com", phone: "0501112233"))
        }
        #expect(error?.code == .identityConflict)
        #expect(error?.contacts == [first, second])
        #expect(error?.message.contains("contact \(first)") == true)
        #expect(error?.message.contains("contact \(second)") == true)
        #expect(try fixture.ledger.lastPosition() == last)
    }

    @Test("bad identifiers are refused with the reason; a missing match identifier too")
    func badIdentifiers() throws {
        let fixture = try Fixture()
        let email = #expect(throws: ContactError.self) { try fixture.upsert(ContactInput(email: "ivan@")) }
        #expect(email?.code == .invalidIdentifier)
        let phone = #expect(throws: ContactError.self) { try fixture.upsert(ContactInput(phone: "12")) }
        #expect(phone?.code == .invalidIdentifier)
        let missing = #expect(throws: ContactError.self) { try fixture.upsert(ContactInput(phone: "+380501112233"), match: .email) }
        #expect(missing?.code == .missingIdentifier)
        let tooLong = #expect(throws: ContactError.self) {
            try fixture.upsert(ContactInput(email: "x@example.com", fields: [(.standard(.firstName), .text(String(repeating: "я", count: 41)))]))
        }
        #expect(tooLong?.code == .invalidField)
        #expect(try fixture.ledger.lastPosition() == 0)
    }

    @Test("with creation turned off, an unknown contact is refused")
    func noCreate() throws {
        let fixture = try Fixture()
        let error = #expect(throws: ContactError.self) {
            try fixture.upsert(ContactInput(email: "new@example.com"), options: UpsertOptions(create: false))
        }
        #expect(error?.code == .notCreated)
    }

    @Test("a deliberate merge moves identifiers, fields and segments to the survivor")
    func merge() throws {
        let fixture = try Fixture()
        let kept = try fixture.upsert(ContactInput(email: "kept@example.com", fields: [(.standard(.firstName), .text("Kept"))])).contact
        let gone = try fixture.upsert(ContactInput(phone: "+380501112233", fields: [(.standard(.firstName), .text("Gone")), (.standard(.lastName), .text("Away"))], segments: ["old"])).contact
        try fixture.book.merge(survivor: kept, absorbed: gone, actor: fixture.actor, source: .cli(command: "test"))
        let survivor = try #require(try fixture.book.contact(kept))
        #expect(survivor.phone == "+380501112233")
        #expect(survivor.firstName == "Kept")
        #expect(survivor.lastName == "Away")
        #expect(survivor.segments == ["old"])
        #expect(try fixture.book.contact(gone)?.mergedInto == kept)
        #expect(try fixture.book.resolve(key: "+380501112233") == kept)
        // The merged identifiers now resolve to one contact: no conflict any more.
        #expect(try fixture.upsert(ContactInput(email: "kept@example.com", phone: "+380501112233")) == .unchanged(kept))
        #expect(try fixture.ledger.verify().isValid)
    }

    @Test("consent now and as of an earlier time")
    func consentAsOf() throws {
        let fixture = try Fixture()
        let id = try fixture.upsert(ContactInput(email: "c@example.com")).contact
        let scope = ConsentScope(channel: .email, purpose: "news")
        let beforeGrant = fixture.now
        fixture.advance(seconds: 60)
        try fixture.book.setConsent(id, scope: scope, change: .grant(.subscribed, method: .formSingleOptIn), wordingVersion: "v3", actor: fixture.actor, source: .form(formID: "f", submissionID: "s"))
        let granted = fixture.now
        fixture.advance(seconds: 60)
        try fixture.book.setConsent(id, scope: scope, change: .withdraw(method: .operator, reason: "too many emails"), actor: fixture.actor, source: .cli(command: "test"))
        #expect(try fixture.book.contact(id)?.consent(scope)?.status == .unsubscribed)
        let events = try fixture.ledger.readStream(id)
        #expect(try ContactAsOf.state(events: events, at: beforeGrant)?.consent(scope) == nil)
        let atGrant = try ContactAsOf.state(events: events, at: granted)?.consent(scope)
        #expect(atGrant?.status == .subscribedUnconfirmed)
        #expect(atGrant?.wordingVersion == "v3")
        #expect(atGrant?.method == .formSingleOptIn)
    }

    @Test("custom fields are declared on first use or explicitly, and keep their type")
    func fieldDeclarations() throws {
        let fixture = try Fixture()
        try fixture.book.defineField("score", type: .number, actor: fixture.actor, source: .cli(command: "test"))
        let redefine = #expect(throws: ContactError.self) {
            try fixture.book.defineField("score", type: .text, actor: fixture.actor, source: .cli(command: "test"))
        }
        #expect(redefine?.code == .invalidField)
        _ = try fixture.upsert(ContactInput(email: "f@example.com", fields: [(.custom("vip"), .bool(true))]))
        let types = try fixture.book.directory().fieldTypes()
        #expect(types == ["score": .number, "vip": .bool])
        let wrongType = #expect(throws: ContactError.self) {
            try fixture.upsert(ContactInput(email: "f@example.com", fields: [(.custom("score"), .text("high"))]))
        }
        #expect(wrongType?.code == .invalidField)
    }
}

@Suite("Batches of contact requests", .serialized)
struct ContactBatchTests {
    static func item(_ input: ContactInput, row: UInt64) -> UpsertItem {
        UpsertItem(input: input, source: .file(name: "base.csv", sha256: .zero, row: row), ids: EventID.sourceRow(namespace: 42, row: row))
    }

    @Test("a batch is one append: the later row wins, a refused row does not stop the others, a re-run adds nothing")
    func batch() throws {
        let fixture = try Fixture()
        let other = try fixture.upsert(ContactInput(phone: "+380501112233")).contact
        let items = [
            Self.item(ContactInput(email: "a@example.com", fields: [(.standard(.firstName), .text("First"))]), row: 2),
            Self.item(ContactInput(email: "b@example.com", phone: "+380501112233"), row: 3),
            Self.item(ContactInput(email: "not-an-email"), row: 4),
            Self.item(ContactInput(email: "a@example.com", phone: "+380509998877", fields: [(.standard(.firstName), .text("Second"))]), row: 5),
        ]
        let before = fixture.ledger.writerStatistics.commits
        let results = try fixture.book.upsert(items, match: .email, channel: .import, actor: fixture.actor)
        #expect(fixture.ledger.writerStatistics.commits == before + 1)
        guard case .success(.created(let a, _)) = results[0] else { Issue.record("row 2: \(results[0])"); return }
        // Matched by e-mail, row 3 finds no contact, but its phone is contact `other`'s.
        #expect(throws: ContactError.self) { try results[1].get() }
        #expect(throws: ContactError.self) { try results[2].get() }
        #expect(try results[3].get() == .updated(a, events: 2))
        let state = try #require(try fixture.book.contact(a))
        #expect(state.firstName == "Second")
        #expect(state.phone == "+380509998877")
        #expect(try fixture.book.resolve(key: "b@example.com") == nil)
        #expect(try fixture.book.resolve(key: "+380501112233") == other)

        // The same rows again: the derived event ids are already recorded, so nothing is added.
        let last = try fixture.ledger.lastPosition()
        _ = try fixture.book.upsert(items, match: .email, channel: .import, actor: fixture.actor)
        #expect(try fixture.ledger.lastPosition() == last)
        #expect(try fixture.book.contact(a)?.firstName == "Second")
    }

    @Test("a batch writes the projection from its own fold, with the events' real streams and time; it equals a fresh fold of the log")
    func batchProjection() throws {
        let fixture = try Fixture()
        let first = [
            Self.item(ContactInput(email: "a@example.com", phone: "067 111 11 11", fields: [(.custom("city"), .text("Kyiv"))], segments: ["spring"]), row: 2),
            Self.item(ContactInput(email: "b@example.com", fields: [(.standard(.firstName), .text("Bohdan"))]), row: 3),
            Self.item(ContactInput(email: "a@example.com", fields: [(.standard(.lastName), .text("Shevchenko"))]), row: 4),
        ]
        let created = fixture.now
        let results = try fixture.book.upsert(first, match: .email, channel: .import, actor: fixture.actor)
        guard case .success(.created(let a, _)) = results[0], case .success(.created(let b, _)) = results[1] else {
            Issue.record("\(results)")
            return
        }
        #expect(try results[2].get() == .updated(a, events: 1))
        fixture.advance(seconds: 60)
        let second = [
            // A new phone replaces the old one in the index; a field changes; a new contact.
            Self.item(ContactInput(email: "a@example.com", phone: "067 222 22 22", fields: [(.custom("city"), .text("Lviv"))]), row: 12),
            Self.item(ContactInput(email: "c@example.com", phone: "067 111 11 11"), row: 13),
        ]
        let updated = fixture.now
        let later = try fixture.book.upsert(second, match: .email, channel: .import, actor: fixture.actor)
        #expect(try later[0].get() == .updated(a, events: 3))
        guard case .success(.created(let c, _)) = later[1] else { Issue.record("\(later)"); return }

        let check = try ContactProjectionCheck.run(ledger: fixture.ledger, store: fixture.book.store)
        #expect(check.isValid, "\(check.differences)")
        #expect(check.checkpoint == (try fixture.ledger.lastPosition()))
        let stateA = try #require(try fixture.book.contact(a))
        #expect(stateA.id == a)
        #expect(stateA.createdAt == created)
        #expect(stateA.updatedAt == updated)
        #expect(stateA.lastName == "Shevchenko")
        #expect(stateA.fields["city"] == .text("Lviv"))
        #expect(try fixture.book.contact(b)?.updatedAt == created)
        #expect(try fixture.book.resolve(key: "+380671111111") == c, "the old phone moved to the new contact")
        #expect(try fixture.book.resolve(key: "+380672222222") == a)
    }

    @Test("batch positions are used only when they are one fresh run")
    func contiguousPositions() {
        let requests = [BatchPlan.Planned(key: .new(1), slot: 0, eventCount: 2), BatchPlan.Planned(key: .new(2), slot: 1, eventCount: 2)]
        func result(_ positions: [UInt64], duplicates: Int = 0) -> AppendResult {
            AppendResult(stream: StreamID(1), positions: positions, version: 2, duplicates: duplicates)
        }
        #expect(BatchPlan.contiguousPositions(requests, [result([5, 6]), result([7, 8])]) == 5...8)
        #expect(BatchPlan.contiguousPositions(requests, [result([5, 6]), result([8, 9])]) == nil, "another writer's event between")
        #expect(BatchPlan.contiguousPositions(requests, [result([5, 6]), result([7, 8], duplicates: 2)]) == nil, "already recorded")
        #expect(BatchPlan.contiguousPositions(requests, [result([5, 6])]) == nil)
    }

    @Test("a dry run decides everything and writes nothing")
    func dryRun() throws {
        let fixture = try Fixture()
        let results = try fixture.book.upsert([Self.item(ContactInput(email: "d@example.com"), row: 2), Self.item(ContactInput(email: "bad@"), row: 3)], match: .email, channel: .import, actor: fixture.actor, dryRun: true)
        // One contact.created, carrying the e-mail (decision 0026).
        #expect(try results[0].get() == .created(StreamID(0), events: 1))
        #expect(throws: ContactError.self) { try results[1].get() }
        #expect(try fixture.ledger.lastPosition() == 0)
    }
}
