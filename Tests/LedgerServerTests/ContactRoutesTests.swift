import Foundation
import HTTPTypes
import HummingbirdTesting
import LedgerContacts
import LedgerDomain
import LedgerProjections
import LedgerServer
import LedgerStore
import Testing

@Suite("Contact routes")
struct ContactRoutesTests {
    static let olena = #"{"firstName":"Olena","lastName":"Kovalenko","channels":[{"type":"email","value":"Olena.Kovalenko@Example.com"},{"type":"sms","value":"067 123 45 67"}],"fields":[{"id":"city","value":"Lviv"}],"externalCustomerId":"crm-17","groups":["spring"]}"#

    @Test("POST /api/v1/contact creates, is readable at once, and records the key and request as actor and source")
    func createAndRead() async throws {
        let fixture = try ServerFixture()
        let key = try fixture.key("crm-sync")
        try await fixture.test { client in
            let created = try await client.send(.post, "/api/v1/contact", key: key, json: Self.olena)
            #expect(created.status == .ok, "\(created.text)")
            #expect(created.object["result"] as? String == "created")
            let id = try #require(created.object["id"] as? Int)

            for contactKey in ["%23\(id)", "olena.kovalenko%40example.com", "0671234567", "ext:crm-17"] {
                let shown = try await client.send(.get, "/api/v1/contacts/\(contactKey)", key: key)
                #expect(shown.status == .ok, "\(contactKey): \(shown.text)")
                #expect(shown.text.contains("Kovalenko"))
                #expect(shown.text.contains("+380671234567"))
            }
            let again = try await client.send(.post, "/api/v1/contact", key: key, json: Self.olena)
            #expect(again.object["result"] as? String == "unchanged")
        }
        let events = try fixture.ledger.read(from: 1, limit: 100).filter { $0.stream.category == .contact }
        #expect(!events.isEmpty)
        for event in events {
            #expect(event.actor == Actor(.apiKey, "crm-sync"))
            guard case .api(let name, let requestID) = event.source else {
                Issue.record("source \(event.source)")
                continue
            }
            #expect(name == "crm-sync")
            #expect(!requestID.isEmpty)
        }
        // Sent by API: confirmed on both channels, with the method api.
        let first = try #require(events.first)
        let state = try #require(try fixture.book.contact(first.stream))
        #expect(state.consents[ConsentScope(channel: .email, purpose: "marketing")]?.status == .confirmed)
        #expect(state.consents[ConsentScope(channel: .sms, purpose: "marketing")]?.method == .api)
    }

    @Test("an upsert's api consent is in the contact's own commit; an upsert confirms a subscription but never re-subscribes a withdrawal")
    func consentInTheUpsertsCommit() async throws {
        let fixture = try ServerFixture()
        let key = try fixture.key("crm")
        let email = ConsentScope(channel: .email, purpose: "marketing")
        let sms = ConsentScope(channel: .sms, purpose: "marketing")
        try await fixture.test { client in
            let created = try await client.send(.post, "/api/v1/contact", key: key, json: Self.olena)
            #expect(created.object["result"] as? String == "created", "\(created.text)")
            let id = StreamID(UInt64(try #require(created.object["id"] as? Int)))
            // One commit: every event of the request at consecutive positions with one recorded
            // time; a new contact's two grants ride in its `contact.created` (decision 0022).
            let events = try fixture.ledger.readStream(id)
            #expect(events.first?.type.name == "contact.created")
            #expect(!events.contains { $0.type.name.hasPrefix("consent.") })
            #expect(Set(events.map(\.recordedAt)).count == 1)
            #expect(events.map(\.position) == Array(events[0].position..<(events[0].position + UInt64(events.count))))
            var state = try #require(try fixture.book.contact(id))
            #expect(state.consents[email]?.status == .confirmed && state.consents[email]?.method == .api)
            #expect(state.consents[sms]?.status == .confirmed && state.consents[sms]?.method == .api)

            // Withdrawn by the person: the same upsert again records nothing.
            let withdrawn = try await client.send(.post, "/api/v1/contacts/ext:crm-17/consent", key: key, json: #"{"channel":"email","status":"unsubscribed"}"#)
            #expect(withdrawn.status == .ok, "\(withdrawn.text)")
            let before = try fixture.ledger.lastPosition()
            let again = try await client.send(.post, "/api/v1/contact", key: key, json: Self.olena)
            #expect(again.object["result"] as? String == "unchanged", "\(again.text)")
            #expect(try fixture.ledger.lastPosition() == before)
            state = try #require(try fixture.book.contact(id))
            #expect(state.consents[email]?.status == .unsubscribed)

            // Subscribed (not confirmed) by an explicit change: an upsert confirms it, by api.
            let subscribed = try await client.send(.post, "/api/v1/contacts/ext:crm-17/consent", key: key, json: #"{"channel":"email","status":"subscribed"}"#)
            #expect(subscribed.status == .ok, "\(subscribed.text)")
            let confirmed = try await client.send(.post, "/api/v1/contact", key: key, json: Self.olena)
            #expect(confirmed.object["result"] as? String == "updated", "\(confirmed.text)")
            state = try #require(try fixture.book.contact(id))
            #expect(state.consents[email]?.status == .confirmed && state.consents[email]?.method == .api)
            #expect(try fixture.ledger.lastPosition() == before + 2)
        }
    }

    @Test("a contact without a channel gets no consent")
    func noChannelNoConsent() async throws {
        let fixture = try ServerFixture()
        let key = try fixture.key("crm")
        try await fixture.test { client in
            let created = try await client.send(.post, "/api/v1/contact", key: key, json: #"{"externalCustomerId":"crm-9","firstName":"A","dedupeOn":"external-id"}"#)
            #expect(created.object["result"] as? String == "created", "\(created.text)")
            let id = StreamID(UInt64(try #require(created.object["id"] as? Int)))
            #expect(try fixture.ledger.readStream(id).allSatisfy { !$0.type.name.hasPrefix("consent.") })
            #expect(try #require(try fixture.book.contact(id)).consents.isEmpty)
        }
    }

    @Test("dedupeOn picks the identifier that finds the contact")
    func dedupeOn() async throws {
        let fixture = try ServerFixture()
        let key = try fixture.key("crm")
        try await fixture.test { client in
            let first = try await client.send(.post, "/api/v1/contact", key: key, json: #"{"externalCustomerId":"crm-1","firstName":"A","dedupeOn":"external-id"}"#)
            #expect(first.object["result"] as? String == "created", "\(first.text)")
            let second = try await client.send(.post, "/api/v1/contact", key: key, json: #"{"externalCustomerId":"crm-1","firstName":"B","dedupeOn":"externalCustomerId"}"#)
            #expect(second.object["result"] as? String == "updated", "\(second.text)")
            #expect(second.object["id"] as? Int == first.object["id"] as? Int)
            let wrong = try await client.send(.post, "/api/v1/contact", key: key, json: #"{"externalCustomerId":"crm-1","dedupeOn":"fax"}"#)
            #expect(wrong.status == .unprocessableContent)
        }
    }

    @Test("a field not sent is left alone; a later value updates")
    func updateLeavesOthers() async throws {
        let fixture = try ServerFixture()
        let key = try fixture.key("crm")
        try await fixture.test { client in
            _ = try await client.send(.post, "/api/v1/contact", key: key, json: Self.olena)
            let update = try await client.send(.post, "/api/v1/contact", key: key, json: #"{"channels":[{"type":"email","value":"olena.kovalenko@example.com"}],"lastName":"Shevchenko"}"#)
            #expect(update.object["result"] as? String == "updated", "\(update.text)")
            let shown = try await client.send(.get, "/api/v1/contacts/olena.kovalenko@example.com", key: key)
            #expect(shown.text.contains("Shevchenko"))
            #expect(shown.text.contains("Olena"))
            #expect(shown.text.contains("Lviv"))
        }
    }

    @Test("bad bodies are refused with problem+json and a field path, and write nothing", arguments: [
        (#"{"firstName":"#, 400, ""),
        (#"{"firstName":"A","nickname":"x"}"#, 400, "nickname"),
        (#"{"firstName":12}"#, 400, "firstName"),
        (#"[1,2]"#, 400, "$"),
        (#"{"firstName":"0123456789012345678901234567890123456789X","channels":[{"type":"email","value":"a@example.com"}]}"#, 422, "firstName"),
        (#"{"channels":[{"type":"email","value":"a@example.com"},{"type":"sms","value":"12"}]}"#, 422, "channels[1].value"),
        (#"{"channels":[{"type":"fax","value":"1"}]}"#, 422, "channels[0].type"),
        (#"{"channels":[{"type":"email","value":"not-an-address"}]}"#, 422, "channels[0].value"),
        (#"{"firstName":"Nobody"}"#, 422, ""),
    ])
    func badBodies(body: String, status: Int, path: String) async throws {
        let fixture = try ServerFixture()
        let key = try fixture.key("crm")
        let before = try fixture.ledger.lastPosition()
        try await fixture.test { client in
            let response = try await client.send(.post, "/api/v1/contact", key: key, json: body)
            #expect(response.status.code == status, "\(response.text)")
            #expect(response.headers[.contentType] == "application/problem+json")
            #expect(response.object["status"] as? Int == status)
            if !path.isEmpty {
                let errors = response.object["errors"] as? [[String: Any]] ?? []
                #expect(errors.contains { $0["path"] as? String == path }, "\(response.text)")
            }
        }
        #expect(try fixture.ledger.lastPosition() == before)
    }

    @Test("an e-mail of one contact and a phone of another is 409, writing nothing")
    func identityConflict() async throws {
        let fixture = try ServerFixture()
        let key = try fixture.key("crm")
        try await fixture.test { client in
            _ = try await client.send(.post, "/api/v1/contact", key: key, json: #"{"channels":[{"type":"email","value":"a@example.com"}]}"#)
            _ = try await client.send(.post, "/api/v1/contact", key: key, json: #"{"channels":[{"type":"sms","value":"0671234567"}]}"#)
            let before = try fixture.ledger.lastPosition()
            let response = try await client.send(.post, "/api/v1/contact", key: key, json: #"{"channels":[{"type":"email","value":"a@example.com"},{"type":"sms","value":"0671234567"}]}"#)
            #expect(response.status == .conflict, "\(response.text)")
            #expect(response.object["code"] as? String == "identity-conflict")
            #expect(try fixture.ledger.lastPosition() == before)
        }
    }

    @Test("wrong media type is 415, an oversized body 413, an unknown route 404, a wrong method 405")
    func statuses() async throws {
        let fixture = try ServerFixture()
        let key = try fixture.key("crm")
        try await fixture.test { client in
            let text = try await client.send(.post, "/api/v1/contact", key: key, json: "{}", headers: [.contentType: "text/plain"])
            #expect(text.status == .unsupportedMediaType)
            let big = "{\"firstName\":\"" + String(repeating: "a", count: ApiLimits.singleBodyBytes) + "\"}"
            let large = try await client.send(.post, "/api/v1/contact", key: key, json: big)
            #expect(large.status == .contentTooLarge, "\(large.text)")
            let missing = try await client.send(.get, "/api/v1/nothing", key: key)
            #expect(missing.status == .notFound)
            #expect(missing.headers[.contentType] == "application/problem+json")
            let method = try await client.send(.delete, "/api/v1/contact", key: key)
            #expect(method.status == .methodNotAllowed)
            #expect(method.headers[.allow] == "POST")
            let unknown = try await client.send(.get, "/api/v1/contacts/nobody@example.com", key: key)
            #expect(unknown.status == .notFound)
            let badKey = try await client.send(.get, "/api/v1/contacts/%23abc", key: key)
            #expect(badKey.status == .badRequest)
        }
    }

    @Test("history lists every change with actor and source; consent reads now and as it was")
    func historyAndConsent() async throws {
        let fixture = try ServerFixture()
        let key = try fixture.key("crm")
        try await fixture.test { client in
            _ = try await client.send(.post, "/api/v1/contact", key: key, json: Self.olena)
            let history = try await client.send(.get, "/api/v1/contacts/ext:crm-17/history", key: key)
            #expect(history.status == .ok)
            let entries = history.object["entries"] as? [[String: Any]] ?? []
            // One contact.created carrying the identifiers, fields and consents (decisions 0022
            // and 0026), then the segment joined.
            #expect(entries.count == 2)
            let subjects = (entries.first?["changes"] as? [[String: Any]] ?? []).compactMap { $0["subject"] as? String }
            for subject in ["email", "phone", "externalId", "firstName", "lastName", "city"] {
                #expect(subjects.contains(subject), "\(subject) not among the creation's changes \(subjects)")
            }
            #expect(entries.allSatisfy { $0["actor"] as? String == "api-key:crm" })

            let before = try await client.send(.get, "/api/v1/contacts/ext:crm-17/consent?at=2000-01-01", key: key)
            #expect(before.object["existed"] as? Bool == false)
            let withdrawn = try await client.send(.post, "/api/v1/contacts/ext:crm-17/consent", key: key, json: #"{"channel":"email","status":"unsubscribed","reason":"too-frequent"}"#)
            #expect(withdrawn.status == .ok, "\(withdrawn.text)")
            let consents = withdrawn.object["consents"] as? [[String: Any]] ?? []
            #expect(consents.contains { $0["channel"] as? String == "email" && $0["status"] as? String == "unsubscribed" })
            #expect(consents.contains { $0["channel"] as? String == "sms" && $0["status"] as? String == "confirmed" })
            let badTime = try await client.send(.get, "/api/v1/contacts/ext:crm-17/consent?at=yesterday", key: key)
            #expect(badTime.status == .badRequest)
        }
    }

    @Test("erase needs audit:write, and forgets the person's values")
    func erase() async throws {
        let fixture = try ServerFixture()
        let writer = try fixture.key("crm", [.contactsWrite, .contactsRead])
        let officer = try fixture.key("dpo", [.auditWrite, .contactsRead])
        try await fixture.test { client in
            _ = try await client.send(.post, "/api/v1/contact", key: writer, json: Self.olena)
            let refused = try await client.send(.post, "/api/v1/contacts/ext:crm-17/erase", key: writer, json: #"{"reason":"gdpr-request"}"#)
            #expect(refused.status == .forbidden)
            let erased = try await client.send(.post, "/api/v1/contacts/ext:crm-17/erase", key: officer, json: #"{"reason":"gdpr-request"}"#)
            #expect(erased.status == .ok, "\(erased.text)")
            let id = try #require(erased.object["id"] as? Int)
            let shown = try await client.send(.get, "/api/v1/contacts/%23\(id)", key: officer)
            #expect(!shown.text.contains("Kovalenko"))
        }
    }
}
