import Foundation
import HTTPTypes
import HummingbirdTesting
import LedgerContacts
import LedgerDomain
import LedgerServer
import LedgerStore
import Testing

@Suite("Bulk, idempotency, segments, events and operations routes")
struct BulkRoutesTests {
    static func contact(_ index: Int) -> String {
        #"{"firstName":"Name\#(index)","channels":[{"type":"email","value":"person\#(index)@example.com"}]}"#
    }

    @Test("a bulk commits every good contact in one transaction and reports each, a bad value rejecting its contact alone")
    func bulk() async throws {
        let fixture = try ServerFixture()
        let key = try fixture.key("crm")
        try await fixture.test { client in
            let body = #"{"dedupeOn":"email","groupNames":["newsletter"],"contacts":["# + Self.contact(1) + "," + Self.contact(2)
                + #",{"channels":[{"type":"email","value":"broken"}]},{"firstName":"0123456789012345678901234567890123456789X"}]}"#
            let response = try await client.send(.post, "/api/v1/contacts", key: key, json: body)
            #expect(response.status == .ok, "\(response.text)")
            let results = response.object["results"] as? [[String: Any]] ?? []
            #expect(results.map { $0["result"] as? String } == ["created", "created", "rejected", "rejected"])
            #expect(results[2]["path"] as? String == "contacts[2].channels[0].value")
            #expect(results[3]["path"] as? String == "contacts[3].firstName")
            let session = try #require(response.object["asyncSessionId"] as? String)
            let status = try await client.send(.get, "/api/v1/importstatus/\(session)", key: key)
            #expect(status.text == response.text)
            let shown = try await client.send(.get, "/api/v1/contacts/person2@example.com", key: key)
            #expect(shown.text.contains("newsletter"))
        }
        // One commit: the contacts' events are consecutive, under one request id.
        let contactEvents = try fixture.ledger.read(from: 1, limit: 100).filter { $0.stream.category == .contact }
        #expect(Set(contactEvents.map { "\($0.source)" }).count == 1)
    }

    @Test("a bulk of the wrong shape, or of more than 3,000 contacts, writes nothing")
    func bulkRefusals() async throws {
        let fixture = try ServerFixture()
        let key = try fixture.key("crm")
        let before = try fixture.ledger.lastPosition()
        try await fixture.test { client in
            let unknown = try await client.send(.post, "/api/v1/contacts", key: key, json: #"{"contacts":["# + Self.contact(1) + #",{"nick":"x"}]}"#)
            #expect(unknown.status == .badRequest, "\(unknown.text)")
            let errors = unknown.object["errors"] as? [[String: Any]] ?? []
            #expect(errors.contains { $0["path"] as? String == "contacts[1].nick" })
            let many = "{\"contacts\":[" + (0...ApiLimits.bulkContacts).map(Self.contact).joined(separator: ",") + "]}"
            let tooMany = try await client.send(.post, "/api/v1/contacts", key: key, json: many)
            #expect(tooMany.status == .contentTooLarge, "\(tooMany.text)")
        }
        #expect(try fixture.ledger.lastPosition() == before)
    }

    @Test("a retried request with the same Idempotency-Key answers as the first and writes nothing, after a restart too")
    func idempotencyAcrossRestart() async throws {
        let first = try ServerFixture(keep: true)
        let directory = first.directory
        let key = try first.key("crm")
        let headers: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "order-8812"]
        let original = try await first.test { client in
            try await client.send(.post, "/api/v1/contact", key: key, json: Self.contact(7), headers: headers).text
        }
        let bulkOriginal = try await first.test { client in
            try await client.send(.post, "/api/v1/contacts", key: key, json: "{\"contacts\":[\(Self.contact(8)),\(Self.contact(7))]}", headers: [HTTPField.Name("Idempotency-Key")!: "bulk-1"]).object["results"] as? [[String: Any]] ?? []
        }
        #expect(bulkOriginal.map { $0["result"] as? String } == ["created", "unchanged"])
        let written = try first.ledger.lastPosition()
        first.close()

        let second = try ServerFixture(reopening: directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await second.test { client in
            let retried = try await client.send(.post, "/api/v1/contact", key: key, json: Self.contact(7), headers: headers)
            #expect(retried.text == original)
            #expect(original.contains("created"))
            let bulkRetried = try await client.send(.post, "/api/v1/contacts", key: key, json: "{\"contacts\":[\(Self.contact(8)),\(Self.contact(7))]}", headers: [HTTPField.Name("Idempotency-Key")!: "bulk-1"])
            let results = bulkRetried.object["results"] as? [[String: Any]] ?? []
            #expect(results.map { $0["result"] as? String } == ["created", "unchanged"])
            let fresh = try await client.send(.post, "/api/v1/contact", key: key, json: Self.contact(7))
            #expect(fresh.object["result"] as? String == "unchanged")
        }
        #expect(try second.ledger.lastPosition() == written)
    }

    @Test("segment members are added by key; an unknown key writes nothing")
    func segments() async throws {
        let fixture = try ServerFixture()
        let key = try fixture.key("crm")
        try await fixture.test { client in
            _ = try await client.send(.post, "/api/v1/contact", key: key, json: Self.contact(1))
            let before = try fixture.ledger.lastPosition()
            let missing = try await client.send(.post, "/api/v1/segments/vip/members", key: key, json: #"{"keys":["person1@example.com","nobody@example.com"]}"#)
            #expect(missing.status == .notFound)
            #expect(try fixture.ledger.lastPosition() == before)
            let added = try await client.send(.post, "/api/v1/segments/vip/members", key: key, json: #"{"keys":["person1@example.com"]}"#)
            #expect(added.object["added"] as? Int == 1, "\(added.text)")
            let shown = try await client.send(.get, "/api/v1/contacts/person1@example.com", key: key)
            #expect(shown.text.contains("vip"))
        }
    }

    @Test("the log as NDJSON needs audit:read; health, metrics and the OpenAPI document need no key")
    func eventsAndOperations() async throws {
        let fixture = try ServerFixture()
        let writer = try fixture.key("crm", [.contactsWrite])
        let auditor = try fixture.key("auditor", [.auditRead])
        try await fixture.test { client in
            _ = try await client.send(.post, "/api/v1/contact", key: writer, json: Self.contact(1))
            #expect(try await client.send(.get, "/api/v1/events?from=1", key: writer).status == .forbidden)
            let events = try await client.send(.get, "/api/v1/events?from=1&limit=3", key: auditor)
            #expect(events.status == .ok)
            let lines = events.text.split(separator: "\n")
            #expect(lines.count == 3)
            #expect(lines.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) != nil })
            #expect(try await client.send(.get, "/api/v1/events?from=x", key: auditor).status == .badRequest)
            let health = try await client.send(.get, "/healthz", key: nil)
            #expect(health.object["status"] as? String == "ok")
            let metrics = try await client.send(.get, "/metrics", key: nil)
            #expect(metrics.text.contains("http_requests_total"))
            #expect(metrics.text.contains(#"route="/api/v1/contact""#))
            #expect(metrics.text.contains("ledger_projection_lag_events"))
            #expect(try await client.send(.get, "/openapi.yaml", key: nil).text.hasPrefix("openapi: 3.1"))
        }
    }

    @Test("the OpenAPI document ships with the server and names every route")
    func openAPIDocument() throws {
        let text = try #require(OpenAPIDocument.text)
        for path in ["/api/v1/contact:", "/api/v1/contacts:", "/api/v1/contacts/{key}:", "/api/v1/contacts/{key}/history:", "/api/v1/contacts/{key}/consent:",
                     "/api/v1/contacts/{key}/erase:", "/api/v1/importstatus/{id}:", "/api/v1/segments/{name}/members:", "/api/v1/events:", "/healthz:", "/metrics:"] {
            #expect(text.contains(path), "\(path)")
        }
    }
}
