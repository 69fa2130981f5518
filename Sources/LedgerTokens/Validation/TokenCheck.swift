import Crypto
import Foundation
import LedgerDomain

/// Validates one push token as it arrives: what it is, which push service it is on, and the
/// reasons it cannot be used (`problems`) or is worth a look (`flags`).
///
/// A token whose endpoint cannot even be read (missing, not a URL) is refused outright
/// (`TokenCheck.Refusal`): it names nothing we could ever record. Everything else is recorded
/// with what the check found, so the migration's report can count it.
public enum TokenCheck {
    /// Why a row cannot become a token at all: a sentence naming the field, never its value.
    public struct Refusal: Error, Sendable, CustomStringConvertible {
        /// The sentence.
        public let message: String
        /// Makes a refusal.
        public init(_ message: String) { self.message = message }
        public var description: String { message }
    }

    /// The facts a web-push subscription yields.
    public struct WebResult: Sendable {
        /// The push service label.
        public var pushService: String
        /// Reasons it is unusable.
        public var problems: [String]
        /// Reasons worth knowing.
        public var flags: [String]
    }

    /// Checks a web-push subscription (`PushSubscriptionJSON`).
    ///
    /// - endpoint: an https URL with a host, on a known push service (else flagged);
    /// - p256dh: base64url of a 65-byte uncompressed point that is on P-256 (swift-crypto);
    /// - auth: base64url of 16 bytes.
    public static func web(endpoint: String, p256dh: String?, auth: String?) throws(Refusal) -> WebResult {
        guard !endpoint.isEmpty else { throw Refusal("the endpoint is empty") }
        guard endpoint.utf8.count <= 2048 else { throw Refusal("the endpoint is longer than 2,048 characters") }
        guard let (scheme, host) = Self.schemeAndHost(endpoint) else {
            throw Refusal("the endpoint is not a URL")
        }
        var problems = [String]()
        if scheme != "https" { problems.append("endpoint-not-https") }
        let (service, flags) = PushService.classify(host: host)
        problems += checkP256dh(p256dh)
        problems += checkAuth(auth)
        return WebResult(pushService: service, problems: problems, flags: flags)
    }

    /// The scheme (lowercased) and host of an absolute URL (RFC 3986: `scheme://[userinfo@]host[:port]…`),
    /// read by hand: Foundation's `URL` costs more than the rest of a row's checks together.
    /// Nil when it is not one: no scheme, no `//`, an empty host, or spaces or control characters.
    static func schemeAndHost(_ text: String) -> (scheme: String, host: String)? {
        // Read in place: a native string's UTF-8 is contiguous (a copy into an array was an
        // allocation per row).
        text.utf8.withContiguousStorageIfAvailable(schemeAndHost) ?? Array(text.utf8).withUnsafeBufferPointer(schemeAndHost)
    }

    private static func schemeAndHost(_ bytes: UnsafeBufferPointer<UInt8>) -> (scheme: String, host: String)? {
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon > 0,
              bytes[0..<colon].allSatisfy({ ($0 | 0x20) >= UInt8(ascii: "a") && ($0 | 0x20) <= UInt8(ascii: "z") || (0x30...0x39).contains($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }),
              bytes.count > colon + 2, bytes[colon + 1] == UInt8(ascii: "/"), bytes[colon + 2] == UInt8(ascii: "/"),
              !bytes.contains(where: { $0 <= 0x20 || $0 == 0x7F })
        else { return nil }
        let authorityStart = colon + 3
        let authorityEnd = bytes[authorityStart...].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") } ?? bytes.count
        var hostStart = authorityStart
        if let at = bytes[authorityStart..<authorityEnd].lastIndex(of: UInt8(ascii: "@")) { hostStart = at + 1 }
        var hostEnd = authorityEnd
        if let portColon = bytes[hostStart..<authorityEnd].lastIndex(of: UInt8(ascii: ":")), !bytes[hostStart..<authorityEnd].contains(UInt8(ascii: "]")) || bytes[portColon - 1] == UInt8(ascii: "]") {
            guard bytes[(portColon + 1)..<authorityEnd].allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
            hostEnd = portColon
        }
        guard hostEnd > hostStart else { return nil }
        return (String(decoding: bytes[0..<colon], as: UTF8.self).lowercased(), String(decoding: bytes[hostStart..<hostEnd], as: UTF8.self))
    }

    /// The problems of a subscription's `p256dh` key: missing, not base64url, not 65 bytes,
    /// not an uncompressed point, or not on the curve.
    public static func checkP256dh(_ p256dh: String?) -> [String] {
        guard let p256dh, !p256dh.isEmpty else { return ["p256dh-missing"] }
        guard let bytes = Base64URL.decode(p256dh) else { return ["p256dh-not-base64url"] }
        guard bytes.count == 65 else { return ["p256dh-wrong-length"] }
        guard bytes[0] == 0x04 else { return ["p256dh-not-uncompressed"] }
        // swift-crypto checks the point lies on the curve (BoringSSL's EC_POINT_oct2point).
        guard (try? P256.KeyAgreement.PublicKey(x963Representation: bytes)) != nil else { return ["p256dh-not-on-curve"] }
        return []
    }

    /// The problems of a subscription's `auth` secret: missing, not base64url, not 16 bytes.
    public static func checkAuth(_ auth: String?) -> [String] {
        guard let auth, !auth.isEmpty else { return ["auth-missing"] }
        guard let bytes = Base64URL.decode(auth) else { return ["auth-not-base64url"] }
        return bytes.count == 16 ? [] : ["auth-wrong-length"]
    }

    /// Checks a mobile device token: an APNs device token is 64 hexadecimal characters (32
    /// bytes); an FCM registration token is 100 to 4,096 characters of `A-Z a-z 0-9 - _ :`.
    public static func mobile(kind: TokenKind, token: String) throws(Refusal) -> WebResult {
        guard !token.isEmpty else { throw Refusal("the device token is empty") }
        switch kind {
        case .ios:
            let hex = token.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x41...0x46).contains($0) || (0x61...0x66).contains($0) }
            let problems = token.utf8.count != 64 ? ["apns-token-wrong-length"] : hex ? [] : ["apns-token-not-hex"]
            return WebResult(pushService: "apns", problems: problems, flags: [])
        case .android:
            let alphabet = token.utf8.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":")
            }
            let count = token.utf8.count
            let problems = !alphabet ? ["fcm-token-bad-character"] : count < 100 ? ["fcm-token-too-short"] : count > 4096 ? ["fcm-token-too-long"] : []
            return WebResult(pushService: "fcm", problems: problems, flags: [])
        case .web:
            return try web(endpoint: token, p256dh: nil, auth: nil)
        }
    }

    /// A site origin as `--origin` gives it, normalised: `https://host[:port]`, host lowercased,
    /// no path, query or credentials.
    public static func origin(_ text: String) throws(Refusal) -> String {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              let host = components.host?.lowercased(), !host.isEmpty else {
            throw Refusal("the origin \(ValueText.quoted(text)) is not a URL such as https://shop.example")
        }
        guard scheme == "https" else { throw Refusal("the origin \(ValueText.quoted(text)) is not https (web push needs a secure origin)") }
        guard components.user == nil, components.password == nil, components.query == nil, components.fragment == nil,
              components.path.isEmpty || components.path == "/" else {
            throw Refusal("the origin \(ValueText.quoted(text)) has more than a scheme, host and port; give it as https://shop.example")
        }
        return "https://\(host)" + (components.port.map { ":\($0)" } ?? "")
    }
}

/// How a value the operator typed is quoted in a message: at most 60 printable characters.
enum ValueText {
    static func quoted(_ text: String) -> String {
        let printable = text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }
        let shown = String(String.UnicodeScalarView(printable.prefix(60)))
        return "\"\(shown)\(printable.count > 60 ? "…" : "")\""
    }
}
