import Foundation
@testable import LedgerContacts
import LedgerDomain
import LedgerIdentity
import LedgerProjections
import LedgerStore
import Testing

/// A new contact is one `contact.created` carrying its identifiers and field values (decision
/// 0026). A store holding contacts of both shapes (the old: a v2 creation followed by an event
/// per identifier and one for the fields) folds, rebuilds and shows history as before.
@Suite("A new contact in one event, beside contacts recorded the old way", .serialized)
struct CreationShapesTests {
    static let crm = Source.api(key: "crm", requestID: "old-1")

    /// Appends a contact as the build before decision 0026 recorded one: `contact.created` v2,
    /// then `contact.identifier-added` per identifier and one `contact.fields-changed`, each
    /// with its personal part sealed under the contact's own key.
    static func appendOldShape(_ fixture: Fixture, email: String, phone: String, first: String, last: String) throws -> StreamID {
        let events: [ContactEvent] = [
            .contactCreated(ContactCreated(channel: .api)),
            .identifierAdded(IdentifierChange(kind: .email, value: email)),
            .identifierAdded(IdentifierChange(kind: .phone, value: phone)),
            .contactFieldsChanged(ContactFieldsChanged(changes: [
                FieldChange(field: .standard(.firstName), from: nil, to: .text(first)),
                FieldChange(field: .standard(.lastName), from: nil, to: .text(last)),
            ])),
        ]
        let key = DataKey.random()
        let new = try events.map { event -> NewEvent in
            var new = event.newEvent(actor: fixture.actor, source: crm)
            if case .contactCreated = event {
                // v2's layout is v3's without the two empty lists at its end.
                #expect(new.data.suffix(2) == [0, 0] && new.personalData.isEmpty)
                new.data.removeLast(2)
                new.type = EventType("contact.created", version: 2)
            }
            if !new.personalData.isEmpty {
                new.personalData = try key.seal(new.personalData, for: new.id)
                new.personalDataSealed = true
            }
            return new
        }
        let result = try fixture.ledger.append([.newStream(new, dataKey: key)])
        return try #require(result.first?.stream)
    }

    /// What a contact's history showed for the old shape, one list per entry.
    static func summaries(_ entries: [HistoryEntry]) -> [[String]] {
        entries.map { $0.changes.map(\.summary) }
    }

    @Test("old and new shapes fold to the same contact, the projection equals a rebuild, and the history shows the same changes")
    func mixedStore() throws {
        let fixture = try Fixture()
        let old = try Self.appendOldShape(fixture, email: "old@example.com", phone: "+380671111111", first: "Olena", last: "Koval")
        let created = try fixture.upsert(ContactInput(
            email: "new@example.com", phone: "067 222 22 22",
            fields: [(.standard(.firstName), .text("Olena")), (.standard(.lastName), .text("Koval"))]))
        guard case .created(let new, let events) = created else {
            Issue.record("not created: \(created)")
            return
        }
        #expect(events == 1, "one contact.created carrying everything")

        let oldRecorded = try fixture.ledger.readStream(old)
        let newRecorded = try fixture.ledger.readStream(new)
        #expect(oldRecorded.map(\.type.description) == ["contact.created.v2", "contact.identifier-added.v1", "contact.identifier-added.v1", "contact.fields-changed.v1"])
        #expect(newRecorded.map(\.type.description) == ["contact.created.v3"])
        #expect(newRecorded[0].personalDataSealed)

        // The fold: the same contact but for its id, identifiers and times.
        let oldState = try #require(try fixture.book.contact(old))
        let newState = try #require(try fixture.book.contact(new))
        #expect(oldState.email == "old@example.com" && oldState.phone == "+380671111111")
        #expect(newState.email == "new@example.com" && newState.phone == "+380672222222")
        #expect(oldState.firstName == "Olena" && newState.firstName == "Olena")
        #expect(oldState.standardFields == newState.standardFields)
        #expect(oldState.channel == .api && newState.channel == .api)
        #expect(try fixture.book.resolve(key: "new@example.com") == new)
        #expect(try fixture.book.resolve(key: "+380672222222") == new)

        // As of its creation, the new contact already holds everything.
        let asOf = try #require(try ContactAsOf.state(events: newRecorded, at: newRecorded[0].recordedAt, keys: fixture.ledger.keyRing()))
        #expect(asOf.email == "new@example.com" && asOf.lastName == "Koval")

        // Incremental equals a rebuild, across both shapes; the log verifies.
        let check = try ContactProjectionCheck.run(ledger: fixture.ledger, store: fixture.book.store)
        #expect(check.isValid, "\(check)")
        #expect(try fixture.ledger.verify().isValid)

        // History: the old shape exactly as before, an entry per event; the new shape the same
        // changes in one entry, with the creation's actor and source.
        let keys = fixture.ledger.keyRing()
        let oldHistory = try ContactHistory.entries(oldRecorded, keys: keys)
        #expect(Self.summaries(oldHistory) == [
            ["created via api"],
            [#"email: added "old@example.com""#],
            [#"phone: added "+380671111111""#],
            [#"firstName: (unset) → "Olena""#, #"lastName: (unset) → "Koval""#],
        ])
        #expect(oldHistory.allSatisfy { $0.actor == fixture.actor && $0.source == Self.crm })
        let newHistory = try ContactHistory.entries(newRecorded, keys: keys)
        #expect(Self.summaries(newHistory) == [[
            "created via api",
            #"email: added "new@example.com""#,
            #"phone: added "+380672222222""#,
            #"firstName: (unset) → "Olena""#, #"lastName: (unset) → "Koval""#,
        ]])
        #expect(newHistory[0].actor == fixture.actor)
        #expect(newHistory[0].source == newRecorded[0].source)
        #expect(newHistory[0].position == newRecorded[0].position)

        // history --field: the e-mail and a field as set by the creation.
        let email = try ContactHistory.entries(newRecorded, matching: HistoryFilter(field: "email"), keys: keys)
        #expect(Self.summaries(email) == [[#"email: added "new@example.com""#]])
        #expect(email[0].actor == fixture.actor && email[0].position == newRecorded[0].position)
        let lastName = try ContactHistory.entries(newRecorded, matching: HistoryFilter(field: "lastName"), keys: keys)
        #expect(Self.summaries(lastName) == [[#"lastName: (unset) → "Koval""#]])
        let oldEmail = try ContactHistory.entries(oldRecorded, matching: HistoryFilter(field: "email"), keys: keys)
        #expect(Self.summaries(oldEmail) == [[#"email: added "old@example.com""#]])
        #expect(oldEmail[0].position == oldRecorded[1].position)
    }

    @Test("a later change of a new-shape contact is its own event; the creation stays one")
    func laterChanges() throws {
        let fixture = try Fixture()
        let id = try fixture.upsert(ContactInput(email: "later@example.com", fields: [(.standard(.firstName), .text("Ivan"))])).contact
        let outcome = try fixture.upsert(ContactInput(email: "later@example.com", phone: "067 333 33 33", fields: [(.standard(.firstName), .text("Ivanko"))]))
        #expect(outcome == .updated(id, events: 2))
        let types = try fixture.ledger.readStream(id).map(\.type.description)
        #expect(types == ["contact.created.v3", "contact.identifier-added.v1", "contact.fields-changed.v1"])
        let state = try #require(try fixture.book.contact(id))
        #expect(state.phone == "+380673333333" && state.firstName == "Ivanko")
    }

    @Test("erasing a new-shape contact leaves no readable identifier or field, in the log, the projection or the history")
    func erasure() throws {
        let fixture = try Fixture()
        let id = try fixture.upsert(ContactInput(email: "gone@example.com", phone: "067 444 44 44", fields: [(.standard(.firstName), .text("Marta"))])).contact
        let erasure = try fixture.book.erase(id, reason: "gdpr-request", actor: fixture.actor, source: .cli(command: "erase"))
        #expect(erasure.keysDestroyed == 1)
        let recorded = try fixture.ledger.readStream(id)
        for event in recorded {
            for text in ["gone@example.com", "+380674444444", "Marta"] {
                #expect(!Array(event.personalData).containsSequence(Array(text.utf8)))
                #expect(!Array(event.data).containsSequence(Array(text.utf8)))
            }
        }
        guard case .contactCreated(let created) = try ContactEvent(decoding: recorded[0], personalData: fixture.ledger.keyRing().personalData(of: recorded[0])) else {
            Issue.record("not a creation")
            return
        }
        #expect(created.identifiers.map(\.kind) == [.email, .phone])
        #expect(created.identifiers.allSatisfy { $0.value.isErased })
        #expect(created.fields.allSatisfy { $0.new.isErased })
        let details = try ContactHistory.entries(recorded, keys: fixture.ledger.keyRing()).flatMap(\.changes).map(\.detail).joined(separator: "\n")
        #expect(!details.contains("gone@") && !details.contains("Marta") && details.contains("[erased]"))
        #expect(try fixture.book.resolve(key: "gone@example.com") == nil)
        let check = try ContactProjectionCheck.run(ledger: fixture.ledger, store: fixture.book.store)
        #expect(check.isValid, "\(check)")
    }
}
