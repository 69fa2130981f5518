import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LedgerContacts
import LedgerDomain
import LedgerForms
import LedgerProjections
import LedgerServer
import LedgerStore
import Logging
import NIOCore
import Testing

/// The hosted form, double opt-in pages, the subscribe call and the Wix webhook, in process.
@Suite("Form routes")
struct FormRoutesTests {
    /// A server with forms on a fresh ledger, and form `newsletter`.
    final class Fixture: Sendable {
        let directory = NSTemporaryDirectory() + "ledger-form-routes-\(UUID().uuidString)"
        let ledger: Ledger
        let book: ContactBook
        let intake: FormIntake
        let server: ApiServer

        init(doubleOptIn: Bool = true, redirect: String? = nil, perAddress: Int = 50, wixToken: String? = nil, trustedProxies: [String] = []) throws {
            ledger = try Ledger(directory: directory)
            book = try ContactBook(ledger: ledger, defaultRegion: "UA")
            let service = ContactService(book: book)
            let forms = try FormBook(ledger: ledger)
            var definition = FormDefinition(name: "newsletter", title: "Our newsletter", fields: try FormRules.fields(parsing: "email,firstName,phone"),
                                            segments: ["web"], doubleOptIn: doubleOptIn, consentText: "I agree to get the newsletter <weekly>.",
                                            redirectURL: redirect, allowedOrigins: ["https://shop.example.com"])
            if let wixToken { definition.wixTokenSHA256 = Array(SHA256Digest.of(wixToken)) }
            _ = try forms.create(definition, actor: Actor(.user, "tester"), source: .cli(command: "test"))
            // A clock that stands still: the rate limits' minute is the test's, however slow the machine.
            intake = try FormIntake(service: service, forms: forms, limits: SubmissionGuard(perAddress: perAddress), queueMail: nil, clock: { 1_800_000_000_000_000 })
            server = try ApiServer(service: service, logger: Logger(label: "test"), forms: FormRoutes(intake: intake, publicURL: "https://forms.example.com/"),
                                   trustedProxies: try TrustedProxies(parsing: trustedProxies))
        }

        deinit {
            book.close()
            ledger.close()
            try? FileManager.default.removeItem(atPath: directory)
        }

        func test<Value>(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
            try await Application(router: server.router()).test(.router, body)
        }

        /// Over a real loopback socket, so the client has an IP address.
        func testLive<Value>(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
            try await Application(router: server.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live, body)
        }

        /// A signed link token for contact `id`'s pending confirmation (or `tokenID`).
        func token(_ purpose: DoiToken.Purpose, contact id: StreamID, tokenID: String? = nil, expiresAt: Int64 = 4_000_000_000) throws -> String {
            let pending = try book.contact(id)?.consents[ConsentScope(channel: .email, purpose: "marketing")]?.pending?.tokenID
            return DoiToken(purpose: purpose, contact: id, scope: ConsentScope(channel: .email, purpose: "marketing"), form: "newsletter", formVersion: 1,
                            id: tokenID ?? pending ?? DoiToken.newID(), expiresAt: expiresAt).signed(with: intake.key)
        }
    }

    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let urlencoded: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .userAgent: "Mozilla/5.0 (route test)"]

    @Test("GET /forms/{id}: accessible HTML with labels, the consent text escaped, a honeypot and a viewport")
    func formPage() async throws {
        let fixture = try Fixture()
        try await fixture.test { client in
            let response = try await client.execute(uri: "/forms/newsletter", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            let html = String(buffer: response.body)
            #expect(html.contains("<meta name=\"viewport\""))
            #expect(html.contains("<label for=\"f-email\">E-mail"))
            #expect(html.contains("id=\"f-email\" name=\"email\" type=\"email\""))
            #expect(html.contains("I agree to get the newsletter &lt;weekly&gt;."))
            #expect(html.contains("name=\"\(FormPages.honeypotField)\""))
            #expect(!html.contains("<script"))
            #expect(try await client.execute(uri: "/forms/nosuch", method: .get).status == .notFound)
        }
    }

    @Test("POST /forms/{id} with bad values: 422, errors beside their fields, every value escaped, nothing written")
    func formErrors() async throws {
        let fixture = try Fixture()
        let before = try fixture.ledger.lastPosition()
        try await fixture.test { client in
            let body = "email=%3Cscript%3Ealert(1)%3C%2Fscript%3E&firstName=%22%3E%3Cimg+src%3Dx+onerror%3Dalert(1)%3E&phone="
            let response = try await client.execute(uri: "/forms/newsletter", method: .post, headers: Self.urlencoded, body: ByteBuffer(string: body))
            #expect(response.status == .unprocessableContent)
            let html = String(buffer: response.body)
            #expect(html.contains("aria-describedby=\"e-email\""))
            #expect(html.contains("<p class=\"error\" id=\"e-email\">E-mail is not a valid e-mail address</p>"))
            #expect(html.contains("value=\"&lt;script&gt;alert(1)&lt;/script&gt;\""))
            #expect(html.contains("value=\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\""))
            #expect(!html.contains("<script>alert"))
            #expect(!html.contains("<img src=x"))
        }
        #expect(try fixture.ledger.lastPosition() == before)
    }

    @Test("POST /forms/{id}: the thank-you page, or the form's redirect; the contact is not confirmed")
    func formPost() async throws {
        let fixture = try Fixture()
        try await fixture.test { client in
            let response = try await client.execute(uri: "/forms/newsletter", method: .post, headers: Self.urlencoded,
                                                    body: ByteBuffer(string: "email=olena%40example.com&firstName=%D0%9E%D0%BB%D0%B5%D0%BD%D0%B0&\(FormPages.honeypotField)="))
            #expect(response.status == .ok)
            #expect(String(buffer: response.body).contains("We have sent you an e-mail"))
        }
        let id = try #require(try fixture.book.resolve(key: "olena@example.com"))
        let state = try #require(try fixture.book.contact(id))
        #expect(state.standardFields[.firstName] == .text("Олена"))
        #expect(state.segments == ["web"])
        #expect(state.consents[ConsentScope(channel: .email, purpose: "marketing")]?.status == .subscribedUnconfirmed)
        #expect(state.consents[ConsentScope(channel: .email, purpose: "marketing")]?.evidence?.userAgent == "Mozilla/5.0 (route test)")

        let redirecting = try Fixture(redirect: "https://shop.example.com/thanks")
        try await redirecting.test { client in
            let response = try await client.execute(uri: "/forms/newsletter", method: .post, headers: Self.urlencoded, body: ByteBuffer(string: "email=a%40example.com"))
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "https://shop.example.com/thanks")
        }
    }

    @Test("a filled honeypot is answered like any submission and makes no contact")
    func honeypot() async throws {
        let fixture = try Fixture()
        try await fixture.test { client in
            let response = try await client.execute(uri: "/forms/newsletter", method: .post, headers: Self.urlencoded,
                                                    body: ByteBuffer(string: "email=bot%40example.com&\(FormPages.honeypotField)=http%3A%2F%2Fspam"))
            #expect(response.status == .ok)
        }
        #expect(try fixture.book.resolve(key: "bot@example.com") == nil)
    }

    @Test("too many submissions from one address: 429 with Retry-After")
    func rateLimit() async throws {
        let fixture = try Fixture(perAddress: 2)
        try await fixture.testLive { client in
            for index in 0..<2 {
                let response = try await client.execute(uri: "/forms/newsletter", method: .post, headers: Self.urlencoded, body: ByteBuffer(string: "email=r\(index)%40example.com"))
                #expect(response.status == .ok)
            }
            let response = try await client.execute(uri: "/forms/newsletter", method: .post, headers: Self.urlencoded, body: ByteBuffer(string: "email=r9%40example.com"))
            #expect(response.status == .tooManyRequests)
            #expect(response.headers[.retryAfter] != nil)
        }
    }

    /// The consent evidence's IP address of `email`'s marketing e-mail consent.
    static func recordedAddress(_ fixture: Fixture, _ email: String) throws -> String? {
        let id = try #require(try fixture.book.resolve(key: email))
        return try fixture.book.contact(id)?.consents[ConsentScope(channel: .email, purpose: "marketing")]?.evidence?.ipAddress
    }

    @Test("behind a trusted proxy: the right-most untrusted X-Forwarded-For address is recorded and rate-limited, each client on its own")
    func trustedProxy() async throws {
        // The test client connects from 127.0.0.1: the proxy; 10.0.0.0/8 is the proxy's own tier.
        let fixture = try Fixture(perAddress: 1, trustedProxies: ["127.0.0.1", "10.0.0.0/8"])
        try await fixture.testLive { client in
            func post(_ email: String, forwardedFor: String) async throws -> TestResponse {
                var headers = Self.urlencoded
                headers[Self.forwardedFor] = forwardedFor
                return try await client.execute(uri: "/forms/newsletter", method: .post, headers: headers, body: ByteBuffer(string: "email=\(email)%40example.com"))
            }
            let first = try await post("a", forwardedFor: "198.51.100.7")
            #expect(first.status == .ok)
            // A client's own made-up entry on the left is passed over; the proxies' tier is skipped.
            let second = try await post("b", forwardedFor: "203.0.113.66, 192.0.2.44, 10.1.2.3")
            #expect(second.status == .ok)
            // The first client again: its own limit of one a minute, not everyone's.
            let again = try await post("c", forwardedFor: "198.51.100.7")
            #expect(again.status == .tooManyRequests)
        }
        #expect(try Self.recordedAddress(fixture, "a@example.com") == "198.51.100.7")
        #expect(try Self.recordedAddress(fixture, "b@example.com") == "192.0.2.44")
        #expect(try fixture.book.resolve(key: "c@example.com") == nil)
    }

    @Test("from a peer that is not a trusted proxy, a spoofed X-Forwarded-For is ignored: the peer is recorded and limited")
    func spoofedForwardedFor() async throws {
        for trusted in [[], ["10.0.0.0/8"]] {
            let fixture = try Fixture(perAddress: 1, trustedProxies: trusted)
            try await fixture.testLive { client in
                var headers = Self.urlencoded
                headers[Self.forwardedFor] = "203.0.113.9"
                let first = try await client.execute(uri: "/forms/newsletter", method: .post, headers: headers, body: ByteBuffer(string: "email=s1%40example.com"))
                #expect(first.status == .ok)
                headers[Self.forwardedFor] = "203.0.113.10"
                let second = try await client.execute(uri: "/forms/newsletter", method: .post, headers: headers, body: ByteBuffer(string: "email=s2%40example.com"))
                #expect(second.status == .tooManyRequests, "a new made-up address does not buy a new limit")
            }
            #expect(try Self.recordedAddress(fixture, "s1@example.com") == "127.0.0.1")
        }
    }

    @Test("confirming: GET shows a button and changes nothing; POST confirms with IP and user agent; again is harmless; bad links change nothing")
    func confirm() async throws {
        let fixture = try Fixture()
        let receipt = try await fixture.intake.submit(FormSubmission(values: ["email": "c@example.com"], door: "test"), to: try #require(try fixture.intake.forms.form(named: "newsletter")))
        guard case .recorded(let id, _, _) = receipt else {
            Issue.record("not recorded")
            return
        }
        let token = try fixture.token(.confirm, contact: id)
        let before = try fixture.ledger.lastPosition()
        try await fixture.test { client in
            let page = try await client.execute(uri: "/confirm?token=\(token)", method: .get)
            #expect(page.status == .ok)
            #expect(String(buffer: page.body).contains("<form method=\"post\" action=\"/confirm\">"))
        }
        #expect(try fixture.ledger.lastPosition() == before, "fetching the link confirms nothing")
        try await fixture.test { client in
            let confirmed = try await client.execute(uri: "/confirm", method: .post, headers: Self.urlencoded, body: ByteBuffer(string: "token=\(token)"))
            #expect(confirmed.status == .ok)
            #expect(String(buffer: confirmed.body).contains("data-status=\"confirmed\""))
            let again = try await client.execute(uri: "/confirm", method: .post, headers: Self.urlencoded, body: ByteBuffer(string: "token=\(token)"))
            #expect(again.status == .ok)
            #expect(String(buffer: again.body).contains("data-status=\"already-confirmed\""))
        }
        let record = try #require(try fixture.book.contact(id)?.consents[ConsentScope(channel: .email, purpose: "marketing")])
        #expect(record.status == .confirmed)
        #expect(record.evidence?.userAgent == "Mozilla/5.0 (route test)")
        let after = try fixture.ledger.lastPosition()
        #expect(after == before + 1)

        let forged = String(token.dropLast(3)) + "AAA"
        let expired = try fixture.token(.confirm, contact: id, expiresAt: 1_000)
        let stale = try fixture.token(.confirm, contact: id, tokenID: DoiToken.newID())
        let unsubscribe = try fixture.token(.unsubscribe, contact: id)
        try await fixture.test { client in
            for (text, status, word) in [(forged, HTTPResponse.Status.badRequest, "invalid"), (expired, .gone, "expired"), (stale, .gone, "not-pending"), (unsubscribe, .badRequest, "invalid")] {
                let response = try await client.execute(uri: "/confirm", method: .post, headers: Self.urlencoded, body: ByteBuffer(string: "token=\(text)"))
                #expect(response.status == status)
                #expect(String(buffer: response.body).contains("data-status=\"\(word)\""))
            }
        }
        #expect(try fixture.ledger.lastPosition() == after, "bad links change nothing")
    }

    @Test("RFC 8058 one-click unsubscribe: no key, no cookie; a second time records nothing")
    func unsubscribe() async throws {
        let fixture = try Fixture(doubleOptIn: false)
        let receipt = try await fixture.intake.submit(FormSubmission(values: ["email": "u@example.com"], door: "test"), to: try #require(try fixture.intake.forms.form(named: "newsletter")))
        guard case .recorded(let id, _, _) = receipt else {
            Issue.record("not recorded")
            return
        }
        let token = try fixture.token(.unsubscribe, contact: id, tokenID: DoiToken.newID(), expiresAt: 0)
        try await fixture.test { client in
            let page = try await client.execute(uri: "/unsubscribe?token=\(token)", method: .get)
            #expect(page.status == .ok)
            let response = try await client.execute(uri: "/unsubscribe?token=\(token)", method: .post, headers: Self.urlencoded, body: ByteBuffer(string: "List-Unsubscribe=One-Click"))
            #expect(response.status == .ok)
        }
        let record = try #require(try fixture.book.contact(id)?.consents[ConsentScope(channel: .email, purpose: "marketing")])
        #expect(record.status == .unsubscribed)
        #expect(record.method == .unsubscribeLink)
        let after = try fixture.ledger.lastPosition()
        try await fixture.test { client in
            _ = try await client.execute(uri: "/unsubscribe?token=\(token)", method: .post, headers: Self.urlencoded, body: ByteBuffer(string: "List-Unsubscribe=One-Click"))
        }
        #expect(try fixture.ledger.lastPosition() == after)
    }

    @Test("POST /api/v1/contact/subscribe: JSON or urlencoded, no API key; CORS for the form's origins only")
    func subscribe() async throws {
        let fixture = try Fixture()
        try await fixture.test { client in
            let json = #"{"formId":"newsletter","contact":{"firstName":"Ivan","channels":[{"type":"email","value":"ivan@example.com"}]}}"#
            let response = try await client.execute(uri: "/api/v1/contact/subscribe", method: .post,
                                                    headers: [.contentType: "application/json", .origin: "https://shop.example.com"], body: ByteBuffer(string: json))
            #expect(response.status == .ok)
            #expect(response.headers[.accessControlAllowOrigin] == "https://shop.example.com")
            let form = try await client.execute(uri: "/api/v1/contact/subscribe", method: .post, headers: Self.urlencoded, body: ByteBuffer(string: "formId=newsletter&email=maria%40example.com"))
            #expect(form.status == .ok)
            let foreign = try await client.execute(uri: "/api/v1/contact/subscribe", method: .post,
                                                   headers: [.contentType: "application/json", .origin: "https://evil.example"], body: ByteBuffer(string: json))
            #expect(foreign.status == .forbidden)
            let preflight = try await client.execute(uri: "/api/v1/contact/subscribe", method: .options, headers: [.origin: "https://shop.example.com", .accessControlRequestMethod: "POST"])
            #expect(preflight.status == .noContent)
            #expect(preflight.headers[.accessControlAllowMethods] == "POST")
            let bad = try await client.execute(uri: "/api/v1/contact/subscribe", method: .post, headers: [.contentType: "application/json"],
                                               body: ByteBuffer(string: #"{"formId":"newsletter","contact":{"channels":[{"type":"email","value":"nope"}]}}"#))
            #expect(bad.status == .unprocessableContent)
            #expect(bad.headers[.contentType] == "application/problem+json")
            let unknown = try await client.execute(uri: "/api/v1/contact/subscribe", method: .post, headers: [.contentType: "application/json"],
                                                   body: ByteBuffer(string: #"{"formId":"nosuch","contact":{}}"#))
            #expect(unknown.status == .notFound)
        }
        #expect(try fixture.book.resolve(key: "ivan@example.com") != nil)
        #expect(try fixture.book.resolve(key: "maria@example.com") != nil)
    }

    @Test("the Wix webhook: the form's token or 401; a repeated submissionId records nothing twice")
    func wix() async throws {
        let fixture = try Fixture(wixToken: "wix_secret_1")
        let body = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("LedgerFormsTests/Fixtures/wix-automation.json"), encoding: .utf8)
        try await fixture.test { client in
            let refused = try await client.execute(uri: "/api/v1/integrations/wix/newsletter?token=wrong", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body))
            #expect(refused.status == .unauthorized)
            let first = try await client.execute(uri: "/api/v1/integrations/wix/newsletter?token=wix_secret_1", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body))
            #expect(first.status == .ok)
        }
        let after = try fixture.ledger.lastPosition()
        try await fixture.test { client in
            let retry = try await client.execute(uri: "/api/v1/integrations/wix/newsletter?token=wix_secret_1", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body))
            #expect(retry.status == .ok)
            #expect(String(buffer: retry.body).contains("duplicate"))
        }
        #expect(try fixture.ledger.lastPosition() == after)
        #expect(try fixture.book.resolve(key: "olena.kovalenko@example.com") != nil)
    }
}

/// SHA-256 of a text's UTF-8 bytes.
enum SHA256Digest {
    static func of(_ text: String) -> [UInt8] {
        Array(Crypto.SHA256.hash(data: Array(text.utf8)))
    }
}
