import Foundation
import HTTPTypes
import HummingbirdTesting
import LedgerContacts
import LedgerDomain
import LedgerProjections
import LedgerServer
import LedgerStore
import LedgerTokens
import Testing

@Suite("Push tokens over the API: contact channels and web-push subscriptions")
struct PushRoutesTests {
    /// A P-256 point that is on the curve, and an auth secret of 16 bytes (base64url).
    static let p256dh = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
    static let auth = "tBHItJI5svbpez7KI4CCXg"
    /// 65 bytes that start as an uncompressed point does but lie on no curve point.
    static let offCurve = Base64URL.encode([0x04] + [UInt8](repeating: 1, count: 64))
    static let apns = String(repeating: "ab12", count: 16)

    static func subscription(_ endpoint: String, p256dh: String = p256dh) -> String {
        #"{"endpoint":"\#(endpoint)","expirationTime":null,"keys":{"p256dh":"\#(p256dh)","auth":"\#(auth)"}}"#
    }

    /// The JSON text of `text` as a JSON string (a webpush channel's value).
    static func quoted(_ text: String) -> String {
        String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)
    }

    @Test("webpush and mobilepush channels become tokens linked to the contact; our one origin and VAPID key are theirs")
    func contactChannels() async throws {
        let fixture = try ServerFixture()
        let key = try fixture.key("crm")
        let pair = VapidKeyPair.generate()
        _ = try fixture.server.tokens.addVapidKey(pair, origins: ["https://shop.example"], generated: true, actor: Actor(.user, "tester"), source: .cli(command: "test"))
        let body = """
            {"channels":[{"type":"email","value":"a@example.com"},
              {"type":"webpush","value":\(Self.quoted(Self.subscription("https://fcm.googleapis.com/fcm/send/one")))},
              {"type":"mobilepush","value":"\(Self.apns)","device":{"appId":"com.shop.app","os":"iOS","deviceModel":"iPhone","active":true}}]}
            """
        let id = try await fixture.test { client in
            let created = try await client.send(.post, "/api/v1/contact", key: key, json: body)
            #expect(created.status == .ok, "\(created.text)")
            return try #require(created.object["id"] as? Int)
        }
        let directory = try fixture.server.tokens.directory()
        let tokens = try directory.tokens(ofContact: StreamID(UInt64(id)))
        #expect(tokens.count == 2)
        let states = try tokens.map { try fixture.server.tokens.token($0) }
        let context = try directory.statusContext(now: Ledger.systemClock())
        let web = try #require(states.first { $0.kind == .web })
        #expect(web.origin == "https://shop.example")
        #expect(web.status(in: context).status == .deliverable)
        let mobile = try #require(states.first { $0.kind == .ios })
        #expect(mobile.appID == "com.shop.app")
        // Sent again: the same tokens, nothing new.
        let before = try fixture.ledger.lastPosition()
        _ = try await fixture.test { client in try await client.send(.post, "/api/v1/contact", key: key, json: body) }
        #expect(try fixture.ledger.lastPosition() == before)
    }

    @Test("a push channel the token checks refuse is 422 at its path, and writes nothing")
    func refusedChannels() async throws {
        let fixture = try ServerFixture()
        let key = try fixture.key("crm")
        try await fixture.test { client in
            let before = try fixture.ledger.lastPosition()
            let cases: [(String, String)] = [
                (#"{"type":"webpush","value":\#(Self.quoted(Self.subscription("https://fcm.googleapis.com/fcm/send/x", p256dh: Self.offCurve)))}"#, "channels[1].value.keys.p256dh"),
                (#"{"type":"webpush","value":\#(Self.quoted(Self.subscription("not a url")))}"#, "channels[1].value.endpoint"),
                (#"{"type":"webpush","value":"{not json"}"#, "channels[1].value"),
                (#"{"type":"mobilepush","value":"abc","device":{"os":"ios"}}"#, "channels[1].value"),
                (#"{"type":"mobilepush","value":"abc","device":{"os":"symbian"}}"#, "channels[1].device.os"),
            ]
            for (channel, path) in cases {
                let response = try await client.send(.post, "/api/v1/contact", key: key, json: #"{"channels":[{"type":"email","value":"a@example.com"},"# + channel + "]}")
                #expect(response.status == .unprocessableContent, "\(channel): \(response.text)")
                #expect((response.object["errors"] as? [[String: Any]])?.contains { $0["path"] as? String == path } == true, "\(channel): \(response.text)")
            }
            let misplaced = try await client.send(.post, "/api/v1/contact", key: key, json: #"{"channels":[{"type":"email","value":"a@example.com","device":{}}]}"#)
            #expect(misplaced.status == .badRequest)
            #expect(try fixture.ledger.lastPosition() == before)
        }
    }

    @Test("a bulk's push channels are recorded for the contacts it committed")
    func bulkChannels() async throws {
        let fixture = try ServerFixture()
        let key = try fixture.key("crm")
        let fcm = String(repeating: "a1B2_-:c", count: 20)
        try await fixture.test { client in
            let bulk = try await client.send(.post, "/api/v1/contacts", key: key, json: #"{"contacts":[{"channels":[{"type":"email","value":"a@example.com"},{"type":"mobilepush","value":"\#(fcm)","device":{"os":"android","appId":"com.shop"}}]},{"channels":[{"type":"email","value":"b@example.com"},{"type":"mobilepush","value":"short"}]}]}"#)
            let results = bulk.object["results"] as? [[String: Any]] ?? []
            #expect(results.map { $0["result"] as? String } == ["created", "rejected"], "\(bulk.text)")
            let id = try #require(results.first?["id"] as? Int)
            let tokens = try fixture.server.tokens.directory().tokens(ofContact: StreamID(UInt64(id)))
            #expect(try tokens.map { try fixture.server.tokens.token($0).kind } == [.android])
        }
    }

    @Test("subscribe, refresh and revoke a web-push subscription; the chain stays one token")
    func subscriptions() async throws {
        let fixture = try ServerFixture()
        let key = try fixture.key("crm")
        try await fixture.test { client in
            _ = try await client.send(.post, "/api/v1/contact", key: key, json: #"{"channels":[{"type":"email","value":"a@example.com"}]}"#)
            let subscribed = try await client.send(.post, "/api/v1/webpush/subscriptions", key: key, json: #"{"subscription":\#(Self.subscription("https://fcm.googleapis.com/fcm/send/one")),"contact":"a@example.com","origin":"https://Shop.example"}"#)
            #expect(subscribed.status == .ok, "\(subscribed.text)")
            #expect(subscribed.object["result"] as? String == "subscribed")
            #expect(subscribed.object["origin"] as? String == "https://shop.example")
            #expect(subscribed.object["status"] as? String == "needs-resubscribe")
            let token = try #require(subscribed.object["token"] as? Int)
            let known = try await client.send(.post, "/api/v1/webpush/subscriptions", key: key, json: #"{"subscription":\#(Self.subscription("https://fcm.googleapis.com/fcm/send/one"))}"#, headers: [.origin: "https://shop.example"])
            #expect(known.object["result"] as? String == "known")
            #expect(known.object["token"] as? Int == token)

            let refreshed = try await client.send(.post, "/api/v1/webpush/subscriptions/refresh", key: key, json: #"{"old":{"endpoint":"https://fcm.googleapis.com/fcm/send/one"},"new":\#(Self.subscription("https://fcm.googleapis.com/fcm/send/two"))}"#)
            #expect(refreshed.status == .ok, "\(refreshed.text)")
            #expect(refreshed.object["token"] as? Int == token)
            let revoked = try await client.send(.post, "/api/v1/webpush/subscriptions/revoke", key: key, json: #"{"endpoint":"https://fcm.googleapis.com/fcm/send/two","status":410}"#)
            #expect(revoked.object["status"] as? String == "invalid", "\(revoked.text)")
            #expect((revoked.object["reasons"] as? [String])?.contains("revoked") == true)
        }
        let state = try fixture.server.tokens.token(StreamID(category: .token, number: 1))
        #expect(state.refreshes == 1)
        #expect(state.revokedStatus == 410)
        let chain = try fixture.ledger.readStream(StreamID(category: .token, number: 1)).map(\.type.name)
        #expect(chain == ["token.subscribed", "token.linked", "token.refreshed", "token.revoked"])
    }

    @Test("the web-push routes' errors: 400, 401, 403, 404, 405, 409, 413, 415, 422; none writes")
    func subscriptionErrors() async throws {
        let fixture = try ServerFixture()
        let key = try fixture.key("crm")
        let reader = try fixture.key("reader", [.contactsRead])
        try await fixture.test { client in
            _ = try await client.send(.post, "/api/v1/webpush/subscriptions", key: key, json: #"{"subscription":\#(Self.subscription("https://fcm.googleapis.com/fcm/send/one")),"origin":"https://shop.example"}"#)
            _ = try await client.send(.post, "/api/v1/webpush/subscriptions", key: key, json: #"{"subscription":\#(Self.subscription("https://fcm.googleapis.com/fcm/send/two")),"origin":"https://shop.example"}"#)
            let before = try fixture.ledger.lastPosition()
            let path = "/api/v1/webpush/subscriptions"
            #expect(try await client.send(.post, path, key: key, json: #"{"subscription":{},"extra":1}"#).status == .badRequest)
            #expect(try await client.send(.post, path, key: nil, json: "{}").status == .unauthorized)
            #expect(try await client.send(.post, path, key: reader, json: "{}").status == .forbidden)
            #expect(try await client.send(.get, path, key: key).status == .methodNotAllowed)
            #expect(try await client.send(.post, path, key: key, json: "{}", headers: [.contentType: "text/plain"]).status == .unsupportedMediaType)
            #expect(try await client.send(.post, path, key: key, json: String(repeating: " ", count: ApiLimits.singleBodyBytes + 1)).status == .contentTooLarge)
            #expect(try await client.send(.post, path, key: key, json: #"{"subscription":\#(Self.subscription("https://fcm.googleapis.com/fcm/send/3", p256dh: Self.offCurve))}"#).status == .unprocessableContent)
            #expect(try await client.send(.post, path, key: key, json: #"{"subscription":\#(Self.subscription("https://fcm.googleapis.com/fcm/send/3")),"origin":"http://shop.example"}"#).status == .unprocessableContent)
            #expect(try await client.send(.post, path, key: key, json: #"{"subscription":\#(Self.subscription("https://fcm.googleapis.com/fcm/send/3")),"contact":"nobody@example.com"}"#).status == .notFound)
            let refresh = "/api/v1/webpush/subscriptions/refresh"
            #expect(try await client.send(.post, refresh, key: key, json: #"{"old":{"endpoint":"https://fcm.googleapis.com/fcm/send/none"},"new":\#(Self.subscription("https://fcm.googleapis.com/fcm/send/4"))}"#).status == .notFound)
            #expect(try await client.send(.post, refresh, key: key, json: #"{"old":{"endpoint":"https://fcm.googleapis.com/fcm/send/one"},"new":\#(Self.subscription("https://fcm.googleapis.com/fcm/send/two"))}"#).status == .conflict)
            #expect(try await client.send(.post, refresh, key: key, json: #"{"new":\#(Self.subscription("https://fcm.googleapis.com/fcm/send/4"))}"#).status == .unprocessableContent)
            let revoke = "/api/v1/webpush/subscriptions/revoke"
            #expect(try await client.send(.post, revoke, key: key, json: #"{"endpoint":"https://fcm.googleapis.com/fcm/send/one","status":500}"#).status == .unprocessableContent)
            #expect(try await client.send(.post, revoke, key: key, json: #"{"endpoint":"https://fcm.googleapis.com/fcm/send/none"}"#).status == .notFound)
            #expect(try await client.send(.post, revoke, key: key, json: #"{"endpoint":7}"#).status == .badRequest)
            #expect(try fixture.ledger.lastPosition() == before)
        }
    }

    @Test("erasing a contact through the API erases its push tokens too")
    func eraseTakesTokens() async throws {
        let fixture = try ServerFixture()
        let key = try fixture.key("crm")
        try await fixture.test { client in
            _ = try await client.send(.post, "/api/v1/contact", key: key, json: #"{"channels":[{"type":"email","value":"a@example.com"},{"type":"mobilepush","value":"\#(Self.apns)"}]}"#)
            let erased = try await client.send(.post, "/api/v1/contacts/a@example.com/erase", key: key, json: #"{"reason":"gdpr-request"}"#)
            #expect(erased.status == .ok, "\(erased.text)")
        }
        let token = try fixture.server.tokens.token(StreamID(category: .token, number: 1))
        #expect(token.erased)
        #expect(try fixture.ledger.dataKey(for: token.stream) == nil)
    }

    @Test("the OpenAPI document names the routes added for issues 16, 17 and 18")
    func openAPIDocument() throws {
        let text = try #require(OpenAPIDocument.text)
        for path in ["/api/v1/webpush/subscriptions:", "/api/v1/webpush/subscriptions/refresh:", "/api/v1/webpush/subscriptions/revoke:",
                     "/api/v1/segments:", "/api/v1/segments/{name}/members/{key}:", "/api/v1/fields:", "name: follow"] {
            #expect(text.contains(path), "\(path)")
        }
    }
}
