import Foundation
import HTTPTypes
import HummingbirdTesting
import LedgerContacts
import LedgerDomain
import LedgerServer
import LedgerStore
import Testing

@Suite("Recorded answers: importstatus and Idempotency-Key, across a restart")
struct RequestRecordTests {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!

    @Test("importstatus returns a bulk's answer after a restart, to the key that sent it only")
    func importStatusAcrossRestart() async throws {
        let first = try ServerFixture(keep: true)
        let directory = first.directory
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let key = try first.key("crm")
        let other = try first.key("other")
        let original = try await first.test { client in
            try await client.send(.post, "/api/v1/contacts", key: key, json: #"{"contacts":[{"channels":[{"type":"email","value":"a@example.com"}]},{"channels":[{"type":"email","value":"broken"}]}]}"#)
        }
        #expect(original.status == .ok)
        let session = try #require(original.object["asyncSessionId"] as? String)
        first.close()

        let second = try ServerFixture(reopening: directory)
        try await second.test { client in
            let status = try await client.send(.get, "/api/v1/importstatus/\(session)", key: key)
            #expect(status.status == .ok)
            #expect(status.text == original.text)
            #expect(try await client.send(.get, "/api/v1/importstatus/\(session)", key: other).status == .notFound)
            #expect(try await client.send(.get, "/api/v1/importstatus/no-such-session", key: key).status == .notFound)
            #expect(try await client.send(.get, "/api/v1/importstatus/\(session)", key: nil).status == .unauthorized)
            #expect(try await client.send(.post, "/api/v1/importstatus/\(session)", key: key, json: "{}").status == .methodNotAllowed)
        }
        // The answer is an event of its own, sealed: the log shows its route, not its body.
        let record = try #require(try second.ledger.read(from: 1, limit: 100).first { $0.stream.category == .apiRequest })
        #expect(record.type == ApiKeyEvent.requestRecordedType)
        #expect(record.personalDataSealed)
        #expect(!String(decoding: record.personalData, as: UTF8.self).contains("broken"))
    }

    @Test("the same Idempotency-Key with another body is 422 and writes nothing, after a restart too; the same body gets the first answer")
    func reusedKey() async throws {
        let first = try ServerFixture(keep: true)
        let directory = first.directory
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let key = try first.key("crm")
        let headers: HTTPFields = [Self.idempotencyKey: "order-1"]
        let body = #"{"channels":[{"type":"email","value":"a@example.com"}],"firstName":"Anna"}"#
        let original = try await first.test { client in
            try await client.send(.post, "/api/v1/contact", key: key, json: body, headers: headers)
        }
        #expect(original.object["result"] as? String == "created")
        let written = try first.ledger.lastPosition()
        first.close()

        let second = try ServerFixture(reopening: directory)
        try await second.test { client in
            let changed = try await client.send(.post, "/api/v1/contact", key: key, json: #"{"channels":[{"type":"email","value":"a@example.com"}],"firstName":"Olena"}"#, headers: headers)
            #expect(changed.status == .unprocessableContent, "\(changed.text)")
            #expect(changed.object["code"] as? String == "idempotency-key-reused")
            let otherRoute = try await client.send(.post, "/api/v1/contacts", key: key, json: "{\"contacts\":[\(body)]}", headers: headers)
            #expect(otherRoute.status == .unprocessableContent)
            let retried = try await client.send(.post, "/api/v1/contact", key: key, json: body, headers: headers)
            #expect(retried.status == .ok)
            #expect(retried.text == original.text)
            #expect(try await client.send(.get, "/api/v1/contacts/a@example.com", key: key).text.contains("Anna"))
        }
        #expect(try second.ledger.lastPosition() == written)
    }

    @Test("a bulk retried with its Idempotency-Key gets its first answer, the same asyncSessionId included")
    func bulkRetry() async throws {
        let fixture = try ServerFixture()
        let key = try fixture.key("crm")
        let headers: HTTPFields = [Self.idempotencyKey: "bulk-7"]
        let body = #"{"contacts":[{"channels":[{"type":"email","value":"a@example.com"}]},{"channels":[{"type":"email","value":"broken"}]}]}"#
        try await fixture.test { client in
            let original = try await client.send(.post, "/api/v1/contacts", key: key, json: body, headers: headers)
            let written = try fixture.ledger.lastPosition()
            let retried = try await client.send(.post, "/api/v1/contacts", key: key, json: body, headers: headers)
            #expect(retried.text == original.text)
            #expect(try fixture.ledger.lastPosition() == written)
            let session = try #require(original.object["asyncSessionId"] as? String)
            #expect(try await client.send(.get, "/api/v1/importstatus/\(session)", key: key).text == original.text)
            // A refused request is not recorded: sent again, fixed, under the same key, it is served.
            let refused = try await client.send(.post, "/api/v1/contact", key: key, json: #"{"firstName":"0123456789012345678901234567890123456789X"}"#, headers: [Self.idempotencyKey: "fix-me"])
            #expect(refused.status == .unprocessableContent)
            let fixed = try await client.send(.post, "/api/v1/contact", key: key, json: #"{"channels":[{"type":"email","value":"f@example.com"}]}"#, headers: [Self.idempotencyKey: "fix-me"])
            #expect(fixed.status == .ok, "\(fixed.text)")
        }
    }

    @Test("a second request with the key while the first is under way is 409")
    func concurrentKey() async throws {
        let fixture = try ServerFixture()
        let key = try fixture.key("crm")
        let headers: HTTPFields = [Self.idempotencyKey: "race"]
        let contacts = (0..<2_000).map { "{\"channels\":[{\"type\":\"email\",\"value\":\"p\($0)@example.com\"}]}" }.joined(separator: ",")
        let body = "{\"contacts\":[\(contacts)]}"
        try await fixture.test { client in
            async let first = client.send(.post, "/api/v1/contacts", key: key, json: body, headers: headers)
            try await Task.sleep(for: .milliseconds(30))
            let second = try await client.send(.post, "/api/v1/contacts", key: key, json: body, headers: headers)
            let answered = try await first
            // One of them ran; the other was refused while it was under way (409), or came after
            // it and got its answer.
            let statuses = [answered.status, second.status]
            #expect(statuses.contains(.ok))
            #expect(statuses.contains(.conflict) || second.text == answered.text, "\(answered.status) \(second.status)")
        }
    }
}
