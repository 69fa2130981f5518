import Crypto
import Foundation
import LedgerDomain
import LedgerForms
import Testing
import _CryptoExtras

/// Every Wix payload shape read onto a form's fields, from the fixtures in `Fixtures/`; the app
/// webhook's JWT verified RS256 against the configured key, and refused with any other.
@Suite("Wix payloads")
struct WixPayloadTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func fixture(_ name: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: fixtures.appendingPathComponent(name)))
    }

    static let form = FormDefinition(
        name: "newsletter",
        fields: [FormField(key: "email", label: "E-mail", required: true), FormField(key: "firstName", label: "First name", required: false),
                 FormField(key: "lastName", label: "Last name", required: false), FormField(key: "phone", label: "Phone", required: false),
                 FormField(key: "city", label: "City", required: false)],
        wixFieldMap: ["field:comp-lq2k1x9a": "city"]
    )

    @Test("the Automations data object")
    func automation() throws {
        let payload = try #require(WixPayload.read(try Self.fixture("wix-automation.json"), for: Self.form))
        #expect(payload.values == ["email": "olena.kovalenko@example.com", "firstName": "Olena", "lastName": "Kovalenko", "phone": "+380671234567", "city": "Lviv"])
        #expect(payload.submissionID == "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a")
    }

    @Test("the flat keys")
    func flat() throws {
        let payload = try #require(WixPayload.read(try Self.fixture("wix-flat.json"), for: Self.form))
        #expect(payload.values == ["email": "ivan.petrenko@example.com", "firstName": "Ivan", "lastName": "Petrenko", "phone": "+380501112233", "city": "Kyiv"])
        #expect(payload.submissionID == "0a1b2c3d-4e5f-4061-8273-94a5b6c7d8e9")
    }

    @Test("the older submissions array, by field title")
    func submissions() throws {
        let payload = try #require(WixPayload.read(try Self.fixture("wix-submissions.json"), for: Self.form))
        #expect(payload.values == ["email": "maria@example.com", "firstName": "Maria", "phone": "+380931234567", "city": "Odesa"])
        #expect(payload.submissionID == "77aa88bb-99cc-4ddd-8eee-ffff00001111")
    }

    @Test("a body of none of the shapes is nil")
    func unknown() {
        #expect(WixPayload.read(.object(["hello": .string("world")]), for: Self.form) == nil)
        #expect(WixPayload.read(.array([]), for: Self.form) == nil)
    }

    /// The app webhook's JWT as Wix nests it: `{data: "<{data: "<event>", eventType, instanceId}>"}`,
    /// signed here with swift-crypto (not the jwt-kit the product verifies with), RS256 by `key`
    /// or, for `alg` HS256, HMAC-SHA256 under `hmacSecret`.
    static func jwt(_ event: JSONValue, key: _RSA.Signing.PrivateKey, alg: String = "RS256", expiry: Double? = nil, hmacSecret: [UInt8]? = nil) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let inner = String(decoding: try encoder.encode(event), as: UTF8.self)
        let middle = String(decoding: try encoder.encode(JSONValue.object(["data": .string(inner), "eventType": .string("wix.forms.v4.submission_created"), "instanceId": .string("i-1")])), as: UTF8.self)
        var claims: [String: JSONValue] = ["data": .string(middle), "iat": .number(1_796_000_000)]
        if let expiry { claims["exp"] = .number(expiry) }
        let payload = try encoder.encode(JSONValue.object(claims))
        let header = try encoder.encode(JSONValue.object(["alg": .string(alg), "kid": .string("k1"), "typ": .string("JWT")]))
        func b64(_ data: some DataProtocol) -> String {
            Data(data).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        }
        let signingInput = b64(header) + "." + b64(payload)
        if let hmacSecret {
            return signingInput + "." + b64(Array(HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: SymmetricKey(data: hmacSecret))))
        }
        let signature = try key.signature(for: SHA256.hash(data: Array(signingInput.utf8)), padding: .insecurePKCS1v1_5)
        return signingInput + "." + b64(signature.rawRepresentation)
    }

    @Test("the app webhook: a JWT signed RS256 by the configured key is read; another key, an altered body or another algorithm are refused")
    func appWebhook() async throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let pem = key.publicKey.pemRepresentation
        let token = try Self.jwt(try Self.fixture("wix-app-event.json"), key: key)
        let verified = try await WixWebhookToken.verify(token, publicKeyPEM: pem)
        let payload = try #require(WixPayload.read(verified, for: Self.form))
        #expect(payload.values == ["email": "taras@example.com", "firstName": "Taras", "city": "Dnipro"])
        #expect(payload.submissionID == "c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f")

        let other = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        await #expect(throws: WixWebhookToken.Refusal.self) { try await WixWebhookToken.verify(token, publicKeyPEM: other.publicKey.pemRepresentation) }
        var parts = token.split(separator: ".").map(String.init)
        parts[1] = String(parts[1].dropLast(4)) + "AAAA"
        await #expect(throws: WixWebhookToken.Refusal.self) { try await WixWebhookToken.verify(parts.joined(separator: "."), publicKeyPEM: pem) }
        let none = try Self.jwt(try Self.fixture("wix-app-event.json"), key: key, alg: "none")
        await #expect(throws: WixWebhookToken.Refusal.self) { try await WixWebhookToken.verify(none, publicKeyPEM: pem) }
        let unsigned = none.split(separator: ".").prefix(2).joined(separator: ".") + "."
        await #expect(throws: WixWebhookToken.Refusal.self) { try await WixWebhookToken.verify(unsigned, publicKeyPEM: pem) }
        await #expect(throws: WixWebhookToken.Refusal.self) { try await WixWebhookToken.verify(token, publicKeyPEM: "not a key") }
    }

    @Test("the app webhook: HMAC under the public key's own text (algorithm confusion) is refused, and so is an expired JWT")
    func appWebhookConfusionAndExpiry() async throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let pem = key.publicKey.pemRepresentation
        let event = try Self.fixture("wix-app-event.json")
        let confused = try Self.jwt(event, key: key, alg: "HS256", hmacSecret: Array(pem.utf8))
        await #expect(throws: WixWebhookToken.Refusal.self) { try await WixWebhookToken.verify(confused, publicKeyPEM: pem) }
        // The same HMAC signature under an RS256 header: the RSA check refuses it.
        let relabelled = try Self.jwt(event, key: key, alg: "RS256", hmacSecret: Array(pem.utf8))
        await #expect(throws: WixWebhookToken.Refusal.self) { try await WixWebhookToken.verify(relabelled, publicKeyPEM: pem) }

        let expired = try Self.jwt(event, key: key, expiry: (Date().timeIntervalSince1970 - 60).rounded())
        do {
            _ = try await WixWebhookToken.verify(expired, publicKeyPEM: pem)
            Issue.record("an expired JWT was accepted")
        } catch let refusal as WixWebhookToken.Refusal {
            #expect(refusal.description == "the JWT has expired")
        }
        let current = try Self.jwt(event, key: key, expiry: (Date().timeIntervalSince1970 + 3_600).rounded())
        let verified = try await WixWebhookToken.verify(current, publicKeyPEM: pem)
        #expect(WixPayload.read(verified, for: Self.form)?.submissionID == "c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f")
    }
}
