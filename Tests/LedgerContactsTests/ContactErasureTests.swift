import Foundation
import LedgerContacts
import LedgerDomain
import LedgerIdentity
import LedgerProjections
import LedgerStore
import Testing

@Suite("Erasure by crypto-shredding", .serialized)
struct ContactErasureTests {
    static let olena = ContactInput(
        email: "olena@example.com", phone: "067 123 45 67",
        fields: [(.standard(.firstName), .text("Olena")), (.custom("city"), .text("Lviv"))],
        segments: ["vip"]
    )

    @Test("personal data is stored sealed under the contact's own key")
    func sealedAtRest() throws {
        let fixture = try Fixture()
        guard case .created(let id, _) = try fixture.upsert(Self.olena) else { Issue.record("not created"); return }
        let events = try fixture.ledger.readStream(id)
        #expect(events.contains { $0.personalDataSealed })
        for event in events where !event.personalData.isEmpty {
            #expect(event.personalDataSealed, "\(event.type) carries plain personal data")
            #expect(!Array(event.personalData).containsSequence(Array("olena@example.com".utf8)))
        }
        // Readers with the key see the values.
        let history = try ContactHistory.entries(events, keys: fixture.ledger.keyRing())
        #expect(history.flatMap(\.changes).contains { $0.detail.contains("olena@example.com") })
        #expect(try fixture.book.contact(id)?.firstName == "Olena")
    }

    @Test("erase appends contact.erased, destroys the key, and every reader then sees [erased]; verify passes")
    func eraseEndToEnd() throws {
        let fixture = try Fixture()
        guard case .created(let id, _) = try fixture.upsert(Self.olena) else { Issue.record("not created"); return }
        fixture.advance(seconds: 60)
        try fixture.upsert(ContactInput(email: "olena@example.com", fields: [(.standard(.lastName), .text("Koval"))]))
        try fixture.book.setConsent(id, scope: ConsentScope(channel: .email, purpose: "news"), change: .grant(.confirmed, method: .api), evidence: ConsentEvidence(ipAddress: "203.0.113.9"), actor: fixture.actor, source: .api(key: "crm", requestID: "r1"))
        let before = fixture.now
        fixture.advance(seconds: 60)

        let erasure = try fixture.book.erase(id, reason: "gdpr-request", actor: fixture.actor, source: .cli(command: "erase"))
        #expect(erasure == Erasure(contact: id, streams: [id], events: 1, keysDestroyed: 1))
        #expect(try fixture.ledger.dataKey(for: id) == nil)

        // The projection forgets the person: no identifier finds the contact, nothing personal is kept.
        let state = try #require(try fixture.book.contact(id))
        #expect(state.erased && state.emails.isEmpty && state.phones.isEmpty && state.fields.isEmpty && state.standardFields.isEmpty)
        #expect(try fixture.book.resolve(key: "olena@example.com") == nil)
        #expect(try fixture.book.resolve(key: "+380671234567") == nil)

        // History and as-of answers show the facts without the values.
        let events = try fixture.ledger.readStream(id)
        let history = try ContactHistory.entries(events, keys: fixture.ledger.keyRing())
        let details = history.flatMap(\.changes).map(\.detail).joined(separator: "\n")
        #expect(!details.contains("olena") && !details.contains("Olena") && !details.contains("Koval") && !details.contains("203.0.113.9"))
        #expect(details.contains("[erased]"))
        #expect(history.last?.changes.first?.detail.contains("gdpr-request") == true)
        let trail = try ConsentTrail.entries(events, keys: fixture.ledger.keyRing())
        #expect(trail.count == 1 && trail[0].evidence.isErased)
        let asOf = try #require(try ContactAsOf.state(events: events, at: before, keys: fixture.ledger.keyRing()))
        #expect(asOf.email == nil && asOf.firstName == nil)
        #expect(asOf.consent(ConsentScope(channel: .email, purpose: "news"))?.status == .confirmed)

        // The log is intact; a rebuild agrees with the incremental projection.
        #expect(try fixture.ledger.verify().isValid)
        let check = try ContactProjectionCheck.run(ledger: fixture.ledger, store: fixture.book.store)
        #expect(check.isValid, "\(check)")

        // The same address later is a new person.
        guard case .created(let newID, _) = try fixture.upsert(ContactInput(email: "olena@example.com")) else { Issue.record("not created"); return }
        #expect(newID != id)

        // Nothing more can be recorded about the erased contact; erasing again does nothing.
        #expect(throws: ContactError.self) {
            try fixture.book.setConsent(id, scope: ConsentScope(channel: .sms, purpose: "news"), change: .grant(.confirmed, method: .api), actor: fixture.actor, source: .cli(command: "test"))
        }
        #expect(try fixture.book.erase(id, reason: "gdpr-request", actor: fixture.actor, source: .cli(command: "erase")) == Erasure(contact: id, streams: [id], events: 0, keysDestroyed: 0))
    }

    @Test("erasing a survivor erases the contacts merged into it; an absorbed contact is erased through its survivor")
    func eraseFollowsMerges() throws {
        let fixture = try Fixture()
        guard case .created(let kept, _) = try fixture.upsert(ContactInput(email: "a@example.com")),
              case .created(let gone, _) = try fixture.upsert(ContactInput(phone: "+380671112233", fields: [(.standard(.firstName), .text("Ann"))])) else {
            Issue.record("not created"); return
        }
        try fixture.book.merge(survivor: kept, absorbed: gone, actor: fixture.actor, source: .cli(command: "merge"))
        #expect {
            try fixture.book.erase(gone, reason: "gdpr-request", actor: fixture.actor, source: .cli(command: "erase"))
        } throws: { error in
            (error as? ContactError)?.message.contains("erase contact \(kept)") == true
        }
        let erasure = try fixture.book.erase(kept, reason: "gdpr-request", actor: fixture.actor, source: .cli(command: "erase"))
        #expect(erasure.streams == [kept, gone] && erasure.events == 2 && erasure.keysDestroyed == 2)
        for stream in [kept, gone] {
            let details = try ContactHistory.entries(try fixture.ledger.readStream(stream), keys: fixture.ledger.keyRing()).flatMap(\.changes).map(\.detail).joined()
            #expect(!details.contains("Ann") && !details.contains("a@example.com") && !details.contains("+380671112233"))
        }
        #expect(try fixture.book.resolve(key: "+380671112233") == nil)
    }

    @Test("a bad erasure reason is refused before anything is written")
    func badReason() throws {
        let fixture = try Fixture()
        guard case .created(let id, _) = try fixture.upsert(Self.olena) else { Issue.record("not created"); return }
        let last = try fixture.ledger.lastPosition()
        for reason in ["", "  ", "two\nlines", String(repeating: "x", count: 201)] {
            #expect(throws: ContactError.self) { try fixture.book.erase(id, reason: reason, actor: fixture.actor, source: .cli(command: "erase")) }
        }
        #expect(try fixture.ledger.lastPosition() == last)
        #expect(try fixture.ledger.dataKey(for: id) != nil)
    }
}

extension Array where Element == UInt8 {
    func containsSequence(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return false }
        return (0...(count - needle.count)).contains { Array(self[$0..<($0 + needle.count)]) == needle }
    }
}
