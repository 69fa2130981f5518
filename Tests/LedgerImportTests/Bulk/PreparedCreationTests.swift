import Foundation
@testable import LedgerContacts
@testable import LedgerImport
import LedgerDomain
import LedgerIdentity
import LedgerProjections
@testable import LedgerStore
import Testing

@Suite("New contacts prepared ahead of their batch", .serialized)
struct PreparedCreationTests {
    /// What a recorded event is, personal data opened: everything but the seal's randomness.
    struct Recorded: Equatable {
        let position: UInt64
        let id: EventID
        let stream: StreamID
        let version: UInt64
        let recordedAt: Int64
        let type: String
        let actor: String
        let source: String
        let data: [UInt8]
        let personal: [UInt8]?
    }

    static func recorded(_ ledger: Ledger) throws -> [Recorded] {
        let keys = ledger.keyRing()
        return try ledger.read(from: 1, limit: Int(try ledger.lastPosition())).map { event in
            Recorded(
                position: event.position, id: event.id, stream: event.stream, version: event.version,
                recordedAt: event.recordedAt, type: "\(event.type)", actor: "\(event.actor)", source: "\(event.source)",
                data: Array(event.data), personal: try keys.personalData(of: event))
        }
    }

    /// The batches: new contacts, a custom field's first use and later uses, a contact seen
    /// twice in a batch, a refused row, an existing contact, and a contact prepared with a
    /// field type the ledger does not have.
    static func batches() -> [[UpsertItem]] {
        let item = BookFixture.item
        return [
            [
                item(ContactInput(email: "a@example.com", phone: "067 111 11 11", fields: [(.standard(.firstName), .text("Olena")), (.custom("city"), .text("Kyiv"))], segments: ["spring"], consent: ConsentInput(stated: .confirmed, purpose: "marketing")), 2),
                item(ContactInput(email: "b@example.com", fields: [(.custom("city"), .text("Lviv")), (.standard(.birthDate), .date(CalendarDate(year: 1990, month: 5, day: 1) ?? .earliest))]), 3),
                item(ContactInput(email: "c@example.com", phone: "+380501112233"), 4),
                item(ContactInput(email: "c@example.com", fields: [(.standard(.lastName), .text("Bondar"))]), 5),
                item(ContactInput(email: "not-an-email"), 6),
                item(ContactInput(email: "d@example.com", fields: [(.standard(.firstName), .text(" padded"))]), 7),
            ],
            [
                item(ContactInput(email: "a@example.com", fields: [(.custom("city"), .text("Odesa"))]), 12),
                item(ContactInput(email: "e@example.com", phone: "+380671111111", consent: Self.migrated), 13),
                item(ContactInput(email: "h@example.com", consent: ConsentInput(stated: .subscribed, purpose: "news")), 16),
                item(ContactInput(email: "h@example.com", consent: Self.migrated), 17),
                item(ContactInput(email: "f@example.com", fields: [(.custom("score"), .text("12"))]), 14),
                item(ContactInput(email: "g@example.com", fields: [(.custom("score"), .text("7"))], segments: ["vip", "spring"]), 15),
            ],
        ]
    }

    /// A consent migrated from another system: opted in, confirmed and withdrawn, with times.
    static let migrated: ConsentInput = {
        var consent = ConsentInput(stated: .confirmed, purpose: "news")
        consent.optInAt = 1_678_785_165_000_000
        consent.optInIP = "198.51.100.7"
        consent.confirmedAt = 1_678_785_602_000_000
        consent.confirmIP = "203.0.113.9"
        consent.unsubscribedAt = 1_725_263_100_000_000
        consent.unsubscribeReason = "NORMAL"
        return consent
    }()

    @Test("taking prepared creations records the same events, states and outcomes as deciding them in the batch")
    func sameAsDecided() throws {
        let plain = try BookFixture()
        let prepared = try BookFixture()
        var rules = ContactFieldRules(customFields: [:], today: CalendarDate(utcDayOf: prepared.now))
        var preparedCount = 0
        for batch in Self.batches() {
            let decided = try plain.book.upsert(batch, match: .email, channel: .import, actor: plain.actor)
            let ahead = batch.map { item in
                var item = item
                item.prepared = prepared.book.prepareCreation(item, channel: .import, actor: prepared.actor, rules: &rules)
                if item.prepared != nil { preparedCount += 1 }
                return item
            }
            let outcomes = try prepared.book.upsertTakingPrepared(ahead, match: .email, channel: .import, actor: prepared.actor)
            #expect("\(outcomes)" == "\(decided)")
        }
        // Not prepared: the first uses of city and score, the bad e-mail, the padded name.
        #expect(preparedCount == 8)
        #expect(try Self.recorded(prepared.ledger) == Self.recorded(plain.ledger))
        let check = try ContactProjectionCheck.run(ledger: prepared.ledger, store: prepared.book.store)
        #expect(check.isValid, "\(check.differences)")
        for stream in Set(try Self.recorded(plain.ledger).map(\.stream)) {
            #expect(try prepared.book.contact(stream) == plain.book.contact(stream))
        }
    }

    @Test("one scratch and cipher reused for every row prepare what fresh ones do, and record the same")
    func reusedScratch() throws {
        let plain = try BookFixture()
        let prepared = try BookFixture()
        let item = BookFixture.item
        // Custom fields that change from row to row: the same, none, others, another order.
        let more = [
            item(ContactInput(email: "h@example.com", fields: [(.custom("city"), .text("Kyiv")), (.custom("score"), .text("1"))]), 20),
            item(ContactInput(email: "i@example.com", fields: [(.custom("city"), .text("Lviv")), (.custom("score"), .text("2"))]), 21),
            item(ContactInput(email: "j@example.com", fields: [(.custom("score"), .text("3")), (.custom("city"), .text("Rivne"))]), 22),
            item(ContactInput(email: "k@example.com", fields: [(.custom("city"), .text("Kyiv")), (.custom("score"), nil)]), 23),
            item(ContactInput(email: "l@example.com", phone: "+380671111112"), 24),
            item(ContactInput(email: "m@example.com", fields: [(.custom("city"), .text("Sumy")), (.custom("score"), .text("4"))]), 25),
        ]
        var rules = ContactFieldRules(customFields: [:], today: CalendarDate(utcDayOf: prepared.now))
        var freshRules = rules
        let cipher = PayloadCipher()
        var scratch = CreationScratch()
        var preparedCount = 0
        for batch in Self.batches() + [more] {
            let decided = try plain.book.upsert(batch, match: .email, channel: .import, actor: plain.actor)
            let ahead = batch.map { item in
                let identifiers = item.identifiers ?? prepared.book.normalize(item.input)
                let reused = prepared.book.prepareCreation(item.input, identifiers: identifiers, source: item.source, ids: item.ids, channel: .import, actor: prepared.actor, rules: &rules, cipher: cipher, scratch: &scratch)
                let fresh = prepared.book.prepareCreation(item, channel: .import, actor: prepared.actor, rules: &freshRules)
                #expect((reused == nil) == (fresh == nil))
                if let reused, let fresh {
                    #expect(reused.state == fresh.state)
                    #expect(reused.encoded.count == fresh.encoded.count)
                    #expect(reused.customFieldTypes.map(\.name) == fresh.customFieldTypes.map(\.name))
                    #expect(reused.customFieldTypes.map(\.type) == fresh.customFieldTypes.map(\.type))
                    preparedCount += 1
                }
                return UpsertItem(input: item.input, source: item.source, identifiers: identifiers, prepared: reused, ids: item.ids)
            }
            let outcomes = try prepared.book.upsertTakingPrepared(ahead, match: .email, channel: .import, actor: prepared.actor)
            #expect("\(outcomes)" == "\(decided)")
        }
        #expect(preparedCount == 14)
        #expect(try Self.recorded(prepared.ledger) == Self.recorded(plain.ledger))
    }

    @Test("a preparation is not taken for an existing contact, nor under other field types, actor or channel")
    func notTaken() throws {
        let fixture = try BookFixture()
        let existing = try fixture.upsert(ContactInput(email: "a@example.com")).contact
        var rules = ContactFieldRules(customFields: ["score": .text], today: CalendarDate(utcDayOf: fixture.now))
        var item = BookFixture.item(ContactInput(email: "a@example.com", fields: [(.standard(.firstName), .text("Ann"))]), row: 2)
        item.prepared = fixture.book.prepareCreation(item, channel: .import, actor: fixture.actor, rules: &rules)
        var other = BookFixture.item(ContactInput(email: "b@example.com", fields: [(.custom("score"), .text("high"))]), row: 3)
        other.prepared = fixture.book.prepareCreation(other, channel: .import, actor: fixture.actor, rules: &rules)
        let prepared = try #require(other.prepared as? PreparedCreation)
        #expect(!prepared.holds(under: ContactFieldRules(customFields: ["score": .number]), actor: fixture.actor, channel: .import))
        #expect(!prepared.holds(under: ContactFieldRules(customFields: ["score": .text]), actor: Actor(.user, "someone"), channel: .import))
        #expect(!prepared.holds(under: ContactFieldRules(customFields: ["score": .text]), actor: fixture.actor, channel: .api))
        #expect(prepared.holds(under: ContactFieldRules(customFields: ["score": .text]), actor: fixture.actor, channel: .import))
        // No score field exists in the ledger: the row is decided in the batch, which declares it.
        let results = try fixture.book.upsertTakingPrepared([item, other], match: .email, channel: .import, actor: fixture.actor)
        #expect(try results[0].get() == .updated(existing, events: 1))
        guard case .success(.created(let created, let events)) = results[1] else { Issue.record("\(results)"); return }
        // field.defined (on the schema stream), and contact.created carrying the e-mail and the field.
        #expect(events == 2)
        #expect(try fixture.book.contact(created)?.fields["score"] == .text("high"))
        #expect(try fixture.book.directory().fieldTypes()["score"] == .text)
    }

    @Test("the plain path (ContactBook.upsert, the service, the API) never takes a preparation: it decides every request itself")
    func plainPathDecides() throws {
        let fixture = try BookFixture()
        var rules = ContactFieldRules(customFields: [:], today: CalendarDate(utcDayOf: fixture.now))
        let first = BookFixture.item(ContactInput(email: "a@example.com", fields: [(.standard(.firstName), .text("Ann"))]), row: 2)
        let second = BookFixture.item(ContactInput(email: "b@example.com", fields: [(.standard(.firstName), .text("Bo"))]), row: 3)
        // Each request carries the other's preparation: taken, it would record the wrong contact.
        let swapped = [
            BookFixture.withPreparation(first, fixture.book.prepareCreation(second, channel: .import, actor: fixture.actor, rules: &rules)),
            BookFixture.withPreparation(second, fixture.book.prepareCreation(first, channel: .import, actor: fixture.actor, rules: &rules)),
        ]
        #expect(swapped.allSatisfy { $0.prepared != nil })
        let results = try fixture.book.upsert(swapped, match: .email, channel: .import, actor: fixture.actor)
        let ann = try #require(try fixture.book.resolve(key: "a@example.com"))
        let bo = try #require(try fixture.book.resolve(key: "b@example.com"))
        #expect(try results.map { try $0.get().contact } == [ann, bo])
        #expect(try fixture.book.contact(ann)?.firstName == "Ann")
        #expect(try fixture.book.contact(bo)?.firstName == "Bo")
    }
}
