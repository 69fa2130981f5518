import Foundation
import HTTPTypes
import HummingbirdTesting
import LedgerContacts
import LedgerDomain
import LedgerServer
import LedgerStore
import Testing

@Suite("Bulk options: groupNamesExclude, numeric field ids, customFieldsIDs, contactFields")
struct BulkOptionsTests {
    static let user = Actor(.user, "tester")

    /// Declares `city` (number 1) and `tier` (number 2).
    static func declareFields(_ fixture: ServerFixture) throws {
        try fixture.book.defineField("city", type: .text, actor: user, source: .cli(command: "test"))
        try fixture.book.defineField("tier", type: .text, actor: user, source: .cli(command: "test"))
    }

    @Test("groupNamesExclude takes every contact of the bulk out of those static segments, in the bulk's one commit")
    func leaveGroups() async throws {
        let fixture = try ServerFixture()
        let key = try fixture.key("crm")
        try await fixture.test { client in
            _ = try await client.send(.post, "/api/v1/contacts", key: key, json: #"{"contacts":[{"channels":[{"type":"email","value":"a@example.com"}],"groups":["spring","vip"]},{"channels":[{"type":"email","value":"b@example.com"}],"groups":["spring"]}]}"#)
            let before = try fixture.ledger.lastPosition()
            let left = try await client.send(.post, "/api/v1/contacts", key: key, json: #"{"dedupeOn":"email","groupNamesExclude":["spring"],"groupNames":["autumn"],"contacts":[{"channels":[{"type":"email","value":"a@example.com"}]},{"channels":[{"type":"email","value":"b@example.com"}]},{"channels":[{"type":"email","value":"c@example.com"}]}]}"#)
            #expect(left.status == .ok, "\(left.text)")
            #expect((left.object["results"] as? [[String: Any]])?.map { $0["result"] as? String } == ["updated", "updated", "created"])
            let a = try await client.send(.get, "/api/v1/contacts/a@example.com", key: key).text
            #expect(!a.contains("spring") && a.contains("vip") && a.contains("autumn"))
            let b = try await client.send(.get, "/api/v1/contacts/b@example.com", key: key).text
            #expect(!b.contains("spring") && b.contains("autumn"))
            // The removals and the rest of the bulk share one request id: one commit.
            let written = try fixture.ledger.read(from: before + 1, limit: 100).filter { $0.stream.category == .contact }
            #expect(written.filter { $0.type.name == "segment.member-removed" }.count == 2)
            #expect(Set(written.map { "\($0.source)" }).count == 1)
        }
    }

    @Test("groupNamesExclude refuses a name also joined, a dynamic segment and a bad name, writing nothing")
    func leaveGroupsRefused() async throws {
        let fixture = try ServerFixture()
        let key = try fixture.key("crm")
        try fixture.book.defineField("city", type: .text, actor: Self.user, source: .cli(command: "test"))
        _ = try fixture.book.defineSegment("lviv", rule: Array(#"{"all":[{"field":"city","op":"=","value":"Lviv"}]}"#.utf8), actor: Self.user, source: .cli(command: "test"))
        try await fixture.test { client in
            let before = try fixture.ledger.lastPosition()
            let contact = #"{"channels":[{"type":"email","value":"a@example.com"}]}"#
            let both = try await client.send(.post, "/api/v1/contacts", key: key, json: #"{"groupNames":["x"],"groupNamesExclude":["x"],"contacts":["# + contact + "]}")
            #expect(both.status == .unprocessableContent, "\(both.text)")
            #expect((both.object["errors"] as? [[String: Any]])?.first?["path"] as? String == "groupNamesExclude[0]")
            let dynamic = try await client.send(.post, "/api/v1/contacts", key: key, json: #"{"groupNamesExclude":["lviv"],"contacts":["# + contact + "]}")
            #expect(dynamic.status == .unprocessableContent)
            let blank = try await client.send(.post, "/api/v1/contacts", key: key, json: #"{"groupNamesExclude":[" x"],"contacts":["# + contact + "]}")
            #expect(blank.status == .unprocessableContent)
            let shape = try await client.send(.post, "/api/v1/contacts", key: key, json: #"{"groupNamesExclude":[3],"contacts":["# + contact + "]}")
            #expect(shape.status == .badRequest)
            #expect(try fixture.ledger.lastPosition() == before)
        }
    }

    @Test("a custom field by number: the order of declaration in the schema stream; GET /api/v1/fields lists them")
    func numericFieldIDs() async throws {
        let fixture = try ServerFixture()
        let key = try fixture.key("crm")
        try Self.declareFields(fixture)
        try await fixture.test { client in
            let fields = try await client.send(.get, "/api/v1/fields", key: key)
            let listed = fields.object["fields"] as? [[String: Any]] ?? []
            #expect(listed.map { $0["id"] as? Int } == [1, 2], "\(fields.text)")
            #expect(listed.map { $0["name"] as? String } == ["city", "tier"])
            let single = try await client.send(.post, "/api/v1/contact", key: key, json: #"{"channels":[{"type":"email","value":"a@example.com"}],"fields":[{"id":2,"value":"gold"}]}"#)
            #expect(single.status == .ok, "\(single.text)")
            let bulk = try await client.send(.post, "/api/v1/contacts", key: key, json: #"{"contacts":[{"channels":[{"type":"email","value":"b@example.com"}],"fields":[{"id":1,"value":"Lviv"}]},{"channels":[{"type":"email","value":"c@example.com"}],"fields":[{"id":99,"value":"x"}]}]}"#)
            let results = bulk.object["results"] as? [[String: Any]] ?? []
            #expect(results.map { $0["result"] as? String } == ["created", "rejected"], "\(bulk.text)")
            #expect(results.last?["path"] as? String == "contacts[1].fields[0].id")
            #expect(try await client.send(.get, "/api/v1/contacts/a@example.com", key: key).text.contains("gold"))
            #expect(try await client.send(.get, "/api/v1/contacts/b@example.com", key: key).text.contains("Lviv"))
            let unknown = try await client.send(.post, "/api/v1/contact", key: key, json: #"{"channels":[{"type":"email","value":"d@example.com"}],"fields":[{"id":7,"value":"x"}]}"#)
            #expect(unknown.status == .unprocessableContent)
            #expect((unknown.object["errors"] as? [[String: Any]])?.first?["path"] as? String == "fields[0].id")
            #expect(try await client.send(.get, "/api/v1/fields", key: nil).status == .unauthorized)
            #expect(try await client.send(.post, "/api/v1/fields", key: key, json: "{}").status == .methodNotAllowed)
        }
    }

    @Test("customFieldsIDs (numbers or names) and contactFields limit what a bulk takes from each contact")
    func limits() async throws {
        let fixture = try ServerFixture()
        let key = try fixture.key("crm")
        try Self.declareFields(fixture)
        try await fixture.test { client in
            let body = #"{"customFieldsIDs":[1],"contactFields":["firstName"],"contacts":[{"channels":[{"type":"email","value":"a@example.com"}],"firstName":"Anna","lastName":"Koval","fields":[{"id":"city","value":"Lviv"},{"id":"tier","value":"gold"}]}]}"#
            let bulk = try await client.send(.post, "/api/v1/contacts", key: key, json: body)
            #expect(bulk.status == .ok, "\(bulk.text)")
            let shown = try await client.send(.get, "/api/v1/contacts/a@example.com", key: key).text
            #expect(shown.contains("Lviv") && shown.contains("Anna"))
            #expect(!shown.contains("gold") && !shown.contains("Koval"))
            let byName = try await client.send(.post, "/api/v1/contacts", key: key, json: #"{"customFieldsIDs":["tier"],"contacts":[{"channels":[{"type":"email","value":"a@example.com"}],"fields":[{"id":"tier","value":"gold"},{"id":"city","value":"Kyiv"}]}]}"#)
            #expect(byName.status == .ok)
            let after = try await client.send(.get, "/api/v1/contacts/a@example.com", key: key).text
            #expect(after.contains("gold") && after.contains("Lviv") && !after.contains("Kyiv"))

            let before = try fixture.ledger.lastPosition()
            let unknownNumber = try await client.send(.post, "/api/v1/contacts", key: key, json: #"{"customFieldsIDs":[9],"contacts":[{"channels":[{"type":"email","value":"a@example.com"}]}]}"#)
            #expect(unknownNumber.status == .unprocessableContent)
            #expect((unknownNumber.object["errors"] as? [[String: Any]])?.first?["path"] as? String == "customFieldsIDs[0]")
            let unknownField = try await client.send(.post, "/api/v1/contacts", key: key, json: #"{"contactFields":["nickname"],"contacts":[{"channels":[{"type":"email","value":"a@example.com"}]}]}"#)
            #expect(unknownField.status == .unprocessableContent)
            let shape = try await client.send(.post, "/api/v1/contacts", key: key, json: #"{"customFieldsIDs":[true],"contacts":[{"channels":[{"type":"email","value":"a@example.com"}]}]}"#)
            #expect(shape.status == .badRequest)
            #expect(try fixture.ledger.lastPosition() == before)
        }
    }
}
