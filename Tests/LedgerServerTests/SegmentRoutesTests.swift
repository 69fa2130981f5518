import Foundation
import HTTPTypes
import HummingbirdTesting
import LedgerContacts
import LedgerDomain
import LedgerServer
import LedgerStore
import Testing

@Suite("Segment routes: leaving a static segment, and the dynamic segments read")
struct SegmentRoutesTests {
    static let user = Actor(.user, "tester")

    /// A dynamic segment `lviv`: contacts whose city is Lviv.
    static func defineLviv(_ fixture: ServerFixture) throws {
        try fixture.book.defineField("city", type: .text, actor: user, source: .cli(command: "test"))
        _ = try fixture.book.defineSegment("lviv", rule: Array(#"{"all":[{"field":"city","op":"=","value":"Lviv"}]}"#.utf8), actor: user, source: .cli(command: "test"))
    }

    @Test("DELETE …/members/{key} removes the contact from the static segment; a second DELETE records nothing")
    func removeMember() async throws {
        let fixture = try ServerFixture()
        let key = try fixture.key("crm")
        try await fixture.test { client in
            _ = try await client.send(.post, "/api/v1/contact", key: key, json: #"{"channels":[{"type":"email","value":"a@example.com"}],"groups":["spring","vip"]}"#)
            let removed = try await client.send(.delete, "/api/v1/segments/spring/members/a@example.com", key: key)
            #expect(removed.status == .ok, "\(removed.text)")
            #expect(removed.object["removed"] as? Bool == true)
            let shown = try await client.send(.get, "/api/v1/contacts/a@example.com", key: key)
            #expect(!shown.text.contains("spring"))
            #expect(shown.text.contains("vip"))
            let before = try fixture.ledger.lastPosition()
            let again = try await client.send(.delete, "/api/v1/segments/spring/members/a@example.com", key: key)
            #expect(again.object["removed"] as? Bool == false)
            #expect(try fixture.ledger.lastPosition() == before)
        }
        let last = try #require(try fixture.ledger.read(from: 1, limit: 100).last { $0.stream.category == .contact })
        #expect(last.type.name == "segment.member-removed")
        #expect(last.actor == Actor(.apiKey, "crm"))
    }

    @Test("DELETE …/members/{key}: 404 no contact, 400 a bad key or segment name, 409 a dynamic segment, 401, 403, 405; none writes")
    func removeMemberErrors() async throws {
        let fixture = try ServerFixture()
        let key = try fixture.key("crm")
        let reader = try fixture.key("reader", [.contactsRead])
        try Self.defineLviv(fixture)
        try await fixture.test { client in
            _ = try await client.send(.post, "/api/v1/contact", key: key, json: #"{"channels":[{"type":"email","value":"a@example.com"}],"groups":["spring"]}"#)
            let before = try fixture.ledger.lastPosition()
            #expect(try await client.send(.delete, "/api/v1/segments/spring/members/nobody@example.com", key: key).status == .notFound)
            #expect(try await client.send(.delete, "/api/v1/segments/spring/members/%23x", key: key).status == .badRequest)
            #expect(try await client.send(.delete, "/api/v1/segments/%20spring/members/a@example.com", key: key).status == .badRequest)
            let dynamic = try await client.send(.delete, "/api/v1/segments/lviv/members/a@example.com", key: key)
            #expect(dynamic.status == .conflict, "\(dynamic.text)")
            #expect(try await client.send(.delete, "/api/v1/segments/spring/members/a@example.com", key: nil).status == .unauthorized)
            #expect(try await client.send(.delete, "/api/v1/segments/spring/members/a@example.com", key: reader).status == .forbidden)
            #expect(try await client.send(.get, "/api/v1/segments/spring/members/a@example.com", key: key).status == .methodNotAllowed)
            #expect(try fixture.ledger.lastPosition() == before)
        }
    }

    @Test("GET /api/v1/segments lists the dynamic segments; …/members pages through one, now and at a time")
    func dynamicReads() async throws {
        let fixture = try ServerFixture()
        let key = try fixture.key("crm")
        try Self.defineLviv(fixture)
        try await fixture.test { client in
            for index in 1...3 {
                _ = try await client.send(.post, "/api/v1/contact", key: key, json: #"{"channels":[{"type":"email","value":"p\#(index)@example.com"}],"fields":[{"id":"city","value":"Lviv"}]}"#)
            }
            _ = try await client.send(.post, "/api/v1/contact", key: key, json: #"{"channels":[{"type":"email","value":"q@example.com"}],"fields":[{"id":"city","value":"Kyiv"}]}"#)
            let list = try await client.send(.get, "/api/v1/segments", key: key)
            #expect(list.status == .ok, "\(list.text)")
            let segments = list.object["segments"] as? [[String: Any]] ?? []
            #expect(segments.map { $0["name"] as? String } == ["lviv"])
            #expect(segments.first?["members"] as? Int == 3)
            #expect(segments.first?["version"] as? Int == 1)

            let first = try await client.send(.get, "/api/v1/segments/lviv/members?limit=2", key: key)
            let page = first.object["members"] as? [[String: Any]] ?? []
            #expect(page.count == 2)
            #expect(page.allSatisfy { $0["since"] is String })
            let next = try #require(first.object["next"] as? Int)
            let second = try await client.send(.get, "/api/v1/segments/lviv/members?limit=2&after=\(next)", key: key)
            #expect((second.object["members"] as? [[String: Any]])?.count == 1)
            #expect(second.object["next"] == nil)
            let past = try await client.send(.get, "/api/v1/segments/lviv/members?at=2000-01-01", key: key)
            #expect((past.object["members"] as? [[String: Any]])?.isEmpty == true, "\(past.text)")
        }
    }

    @Test("segment reads: 404 for a static or unknown segment, 400 for a bad query, 401, 403, 405")
    func dynamicReadErrors() async throws {
        let fixture = try ServerFixture()
        let key = try fixture.key("crm")
        let writer = try fixture.key("writer", [.contactsWrite])
        try await fixture.test { client in
            _ = try await client.send(.post, "/api/v1/contact", key: key, json: #"{"channels":[{"type":"email","value":"a@example.com"}],"groups":["spring"]}"#)
            #expect(try await client.send(.get, "/api/v1/segments/spring/members", key: key).status == .notFound)
            #expect(try await client.send(.get, "/api/v1/segments/nothing/members", key: key).status == .notFound)
            #expect(try await client.send(.get, "/api/v1/segments/spring/members?after=x", key: key).status == .badRequest)
            #expect(try await client.send(.get, "/api/v1/segments/spring/members?at=yesterday", key: key).status == .badRequest)
            #expect(try await client.send(.get, "/api/v1/segments", key: nil).status == .unauthorized)
            #expect(try await client.send(.get, "/api/v1/segments", key: writer).status == .forbidden)
            #expect(try await client.send(.post, "/api/v1/segments", key: key, json: "{}").status == .methodNotAllowed)
            #expect(try await client.send(.delete, "/api/v1/segments/spring/members", key: key).status == .methodNotAllowed)
        }
    }
}
