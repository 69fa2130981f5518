import Foundation
import LedgerDomain
import LedgerTokens
import Testing

@Suite("Token validation")
struct TokenCheckTests {
    static let p256dh = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
    static let auth = "tBHItJI5svbpez7KI4CCXg"

    @Test("push services by host, with the legacy and unknown ones flagged", arguments: [
        ("https://fcm.googleapis.com/fcm/send/abc", "fcm", [String]()),
        ("https://android.googleapis.com/gcm/send/abc", "fcm", ["legacy-endpoint"]),
        ("https://updates.push.services.mozilla.com/wpush/v2/abc", "mozilla", []),
        ("https://wns2-par02p.notify.windows.com/w/?token=abc", "windows", []),
        ("https://web.push.apple.com/abc", "apple", []),
        ("https://notify.windows.com.evil.example/abc", "unknown", ["unknown-push-service"]),
        ("https://push.example.net/abc", "unknown", ["unknown-push-service"]),
    ])
    func hosts(endpoint: String, service: String, flags: [String]) throws {
        let result = try TokenCheck.web(endpoint: endpoint, p256dh: Self.p256dh, auth: Self.auth)
        #expect(result.pushService == service)
        #expect(result.flags == flags)
        #expect(result.problems.isEmpty)
    }

    @Test("an endpoint that is not https is a problem; one that is not a URL is refused")
    func endpoints() throws {
        #expect(try TokenCheck.web(endpoint: "http://fcm.googleapis.com/fcm/send/x", p256dh: Self.p256dh, auth: Self.auth).problems == ["endpoint-not-https"])
        #expect(throws: TokenCheck.Refusal.self) { try TokenCheck.web(endpoint: "not a url", p256dh: nil, auth: nil) }
        #expect(throws: TokenCheck.Refusal.self) { try TokenCheck.web(endpoint: "", p256dh: nil, auth: nil) }
        #expect(try TokenCheck.web(endpoint: "HTTPS://FCM.googleapis.com:443/fcm/send/x", p256dh: Self.p256dh, auth: Self.auth).pushService == "fcm")
        #expect(try TokenCheck.web(endpoint: "https://user@web.push.apple.com/x?y#z", p256dh: Self.p256dh, auth: Self.auth).pushService == "apple")
        for bad in ["https:///x", "https//fcm.googleapis.com/x", "https://fcm.googleapis.com:44a/x", "https://fcm.googleapis.com/a b", "://host/x"] {
            #expect(throws: TokenCheck.Refusal.self, "\(bad)") { try TokenCheck.web(endpoint: bad, p256dh: nil, auth: nil) }
        }
    }

    @Test("p256dh: a point on P-256 passes; every other shape has its reason")
    func p256dhRules() {
        #expect(TokenCheck.checkP256dh(Self.p256dh).isEmpty)
        #expect(TokenCheck.checkP256dh(nil) == ["p256dh-missing"])
        #expect(TokenCheck.checkP256dh("BNcRdreALRFX+kOOUHK1") == ["p256dh-not-base64url"])
        #expect(TokenCheck.checkP256dh(Base64URL.encode([UInt8](repeating: 4, count: 33))) == ["p256dh-wrong-length"])
        var compressedMarker = Base64URL.decode(Self.p256dh) ?? []
        compressedMarker[0] = 0x02
        #expect(TokenCheck.checkP256dh(Base64URL.encode(compressedMarker)) == ["p256dh-not-uncompressed"])
    }

    @Test("a p256dh of 65 bytes with the uncompressed marker that is not on the curve is caught")
    func offCurve() {
        var raw = Base64URL.decode(Self.p256dh) ?? []
        #expect(raw.count == 65)
        raw[64] ^= 1
        #expect(TokenCheck.checkP256dh(Base64URL.encode(raw)) == ["p256dh-not-on-curve"])
    }

    @Test("auth: 16 bytes of base64url")
    func authRules() {
        #expect(TokenCheck.checkAuth(Self.auth).isEmpty)
        #expect(TokenCheck.checkAuth(Self.auth + "==").isEmpty, "padding is allowed")
        #expect(TokenCheck.checkAuth(nil) == ["auth-missing"])
        #expect(TokenCheck.checkAuth(Base64URL.encode([UInt8](repeating: 1, count: 12))) == ["auth-wrong-length"])
        #expect(TokenCheck.checkAuth("tBHItJI5svbpez7KI4CC/g") == ["auth-not-base64url"])
    }

    @Test("APNs device tokens are 64 hex characters")
    func apns() throws {
        let good = String(repeating: "0a1B", count: 16)
        #expect(try TokenCheck.mobile(kind: .ios, token: good).problems.isEmpty)
        #expect(try TokenCheck.mobile(kind: .ios, token: String(good.dropLast(2))).problems == ["apns-token-wrong-length"])
        #expect(try TokenCheck.mobile(kind: .ios, token: String(good.dropLast()) + "g").problems == ["apns-token-not-hex"])
        #expect(try TokenCheck.mobile(kind: .ios, token: good).pushService == "apns")
    }

    @Test("FCM registration tokens: their alphabet and length")
    func fcm() throws {
        let good = "dGVzdC1mY20tdG9rZW4:APA91bH" + String(repeating: "x_-", count: 45)
        #expect(try TokenCheck.mobile(kind: .android, token: good).problems.isEmpty)
        #expect(try TokenCheck.mobile(kind: .android, token: "short:APA91b").problems == ["fcm-token-too-short"])
        #expect(try TokenCheck.mobile(kind: .android, token: good + "/").problems == ["fcm-token-bad-character"])
        #expect(try TokenCheck.mobile(kind: .android, token: String(repeating: "a", count: 4097)).problems == ["fcm-token-too-long"])
    }

    @Test("origins are normalised to https://host[:port]; anything else is refused")
    func origins() throws {
        #expect(try TokenCheck.origin("https://Shop.Example/") == "https://shop.example")
        #expect(try TokenCheck.origin("https://shop.example:8443") == "https://shop.example:8443")
        for bad in ["http://shop.example", "shop.example", "https://shop.example/path", "https://u:p@shop.example"] {
            #expect(throws: TokenCheck.Refusal.self, "\(bad)") { try TokenCheck.origin(bad) }
        }
    }

    @Test("base64url round-trips and refuses standard base64's + and /")
    func base64url() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 37 + 11) }
            #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
        }
        #expect(Base64URL.decode("ab+c") == nil)
        #expect(Base64URL.decode("a") == nil)
    }

    @Test("base64url padding: up to two = at the end only, and no character left over")
    func base64urlPadding() {
        #expect(Base64URL.decode("AQ") == [1])
        #expect(Base64URL.decode("AQ=") == [1])
        #expect(Base64URL.decode("AQ==") == [1])
        #expect(Base64URL.decode("AQID") == [1, 2, 3])
        #expect(Base64URL.decode("_-8") == [0xFF, 0xEF])
        #expect(Base64URL.decode("") == [])
        #expect(Base64URL.decode("AQ===") == nil)
        #expect(Base64URL.decode("A=Q") == nil)
        #expect(Base64URL.decode("AQ=Q") == nil)
        #expect(Base64URL.decode("AQIDB") == nil)
        #expect(Base64URL.decode("AQ ID") == nil)
        #expect(Base64URL.decode("AQé") == nil)
    }
}

@Suite("VAPID key pairs")
struct VapidKeyPairTests {
    @Test("a matching pair is accepted and fingerprinted; a private key of another pair is refused")
    func pairs() throws {
        let keys = try TokenFixture.vapid()
        let pair = try VapidKeyPair(publicKey: keys.publicKey, privateKey: keys.privateKey)
        #expect(pair.fingerprint == (try VapidKeyPair.fingerprint(ofPublicKey: keys.publicKey)))
        #expect(pair.fingerprint.count == 32)
        let error = try #require(throws: VapidKeyPair.Refusal.self) { try VapidKeyPair(publicKey: keys.publicKey, privateKey: keys.otherPrivateKey) }
        #expect(error.message.contains("does not derive the public key"))
        #expect(!error.message.contains(keys.otherPrivateKey), "a refusal never quotes the private key")
    }

    @Test("malformed keys are refused with what is wrong")
    func malformed() throws {
        let keys = try TokenFixture.vapid()
        #expect(throws: VapidKeyPair.Refusal.self) { try VapidKeyPair(publicKey: keys.publicKey, privateKey: "short") }
        #expect(throws: VapidKeyPair.Refusal.self) { try VapidKeyPair(publicKey: "BAAA", privateKey: keys.privateKey) }
        var raw = Base64URL.decode(keys.publicKey) ?? []
        raw[64] ^= 1
        #expect(throws: VapidKeyPair.Refusal.self) { try VapidKeyPair.fingerprint(ofPublicKey: Base64URL.encode(raw)) }
    }

    @Test("a generated pair is a valid pair")
    func generated() throws {
        let pair = VapidKeyPair.generate()
        let again = try VapidKeyPair(publicKey: pair.publicKey, privateKey: pair.privateKey)
        #expect(again.fingerprint == pair.fingerprint)
        #expect(VapidKeyPair.generate().fingerprint != pair.fingerprint)
    }
}
