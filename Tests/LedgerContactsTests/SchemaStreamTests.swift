import Foundation
@testable import LedgerContacts
import LedgerDomain
import LedgerProjections
import LedgerStore
import Testing

/// Field declarations live on the schema stream, a stream of its own category, so contacts
/// are numbered from 1 whatever fields they bring.
@Suite("The schema stream", .serialized)
struct SchemaStreamTests {
    @Test("a new ledger's first contact is contact 1, and its fields' declarations go to a schema stream")
    func newLedger() throws {
        let fixture = try Fixture()
        let first = try fixture.upsert(ContactInput(email: "a@example.com", fields: [(.custom("tier"), .text("gold"))])).contact
        #expect(first == StreamID(1))
        let schema = try #require(try fixture.book.directory().schemaStream())
        #expect(schema.category == .schema)
        try fixture.book.defineField("score", type: .number, actor: fixture.actor, source: .cli(command: "test"))
        #expect(try fixture.book.directory().schemaStream() == schema)
        #expect(try fixture.ledger.readStream(schema).count == 2)
        #expect(try fixture.upsert(ContactInput(email: "b@example.com")).contact == StreamID(2))
        #expect(try fixture.ledger.stats().streamsByCategory == ["contact": 2, "schema": 1])
        // The projection, checked against a fresh fold of the whole log (schema stream included),
        // and rebuilt from it, says the same.
        let check = try ContactProjectionCheck.run(ledger: fixture.ledger, store: fixture.book.store)
        #expect(check.isValid, "\(check.differences)")
        #expect(check.contacts == 2)
        try fixture.book.runner.rebuild()
        let rebuilt = try fixture.book.runner.openStore()
        defer { rebuilt.close() }
        #expect(try ContactDirectory(store: rebuilt).fieldTypes() == ["tier": .text, "score": .number])
        #expect(try ContactDirectory(store: rebuilt).schemaStream() == schema)
    }

    @Test("a ledger whose schema stream is among the contact numbers (written before categories) keeps using it")
    func legacyLedger() throws {
        let fixture = try Fixture()
        // What an earlier build wrote: the schema stream took the first contact number.
        let legacy = try fixture.ledger.append(.newStream([
            ContactEvent.fieldDefined(FieldDefined(name: "tier", type: .text)).newEvent(actor: fixture.actor, source: .cli(command: "old")),
        ])).stream
        #expect(legacy == StreamID(1))
        let contact = try fixture.upsert(ContactInput(email: "a@example.com", fields: [(.custom("city"), .text("Lviv"))])).contact
        #expect(contact == StreamID(2))
        #expect(try fixture.book.directory().schemaStream() == legacy)
        #expect(try fixture.book.directory().fieldTypes() == ["tier": .text, "city": .text])
        #expect(try fixture.ledger.readStream(legacy).count == 2)
    }
}
