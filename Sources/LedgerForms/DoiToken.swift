import Crypto
import Foundation
import LedgerDomain

/// A signed link token (double opt-in confirmation, or unsubscribe): what it is for, whom, and
/// until when, with an HMAC-SHA256 over it under the store's `keys/forms` secret. Nothing in it
/// is personal: a contact number, a scope, a form and a random id.
///
/// Text form: `v1.` + base64url(body) + `.` + base64url(first 16 bytes of the MAC). A token
/// whose MAC does not match, whose body does not parse, or whose time has passed is refused
/// before anything is looked up.
public struct DoiToken: Hashable, Sendable {
    /// What the link does.
    public enum Purpose: UInt8, Sendable {
        /// Confirms a requested consent (`consent.confirmed`).
        case confirm = 1
        /// Withdraws consent (RFC 8058 one-click, or the link's page).
        case unsubscribe = 2
    }

    /// What the link does.
    public var purpose: Purpose
    /// The contact.
    public var contact: StreamID
    /// The scope confirmed or withdrawn.
    public var scope: ConsentScope
    /// The form it came from, and its version.
    public var form: String
    public var formVersion: UInt32
    /// The id recorded in `consent.confirmation-requested` and `consent.confirmed`: 32 hex digits.
    public var id: String
    /// When it stops working, in seconds since 1970; 0: never (unsubscribe links).
    public var expiresAt: Int64

    /// Describes a token.
    public init(purpose: Purpose, contact: StreamID, scope: ConsentScope, form: String, formVersion: UInt32, id: String, expiresAt: Int64) {
        self.purpose = purpose
        self.contact = contact
        self.scope = scope
        self.form = form
        self.formVersion = formVersion
        self.id = id
        self.expiresAt = expiresAt
    }

    /// A fresh random token id: 128 bits from the system's CSPRNG, as 32 hex digits.
    public static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// A token id derived from `text` (a Wix submission id): the same text gives the same id, so
    /// a retried webhook records nothing twice.
    public static func derivedID(_ text: String) -> String {
        SHA256.hash(data: Array("contactledger.doi-token\u{0}\(text)".utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    private var body: [UInt8] {
        var writer = BinaryWriter(capacity: 96)
        writer.write(purpose.rawValue)
        writer.write(contact.rawValue)
        writer.writeString(scope.channel.rawValue)
        writer.writeString(scope.purpose)
        writer.writeString(form)
        writer.writeVarint(UInt64(formVersion))
        writer.writeString(id)
        writer.write(expiresAt)
        return writer.bytes
    }

    /// The token's text, signed with `key`.
    public func signed(with key: SymmetricKey) -> String {
        let body = body
        let mac = Array(HMAC<SHA256>.authenticationCode(for: body, using: key)).prefix(16)
        return "v1." + Self.base64url(body) + "." + Self.base64url(Array(mac))
    }

    /// Why a token was refused.
    public enum Refusal: Error, Sendable, Hashable {
        /// Not a token, or not signed by this store: nothing is said about what it named.
        case forged
        /// Signed, but past its time.
        case expired(DoiToken)
    }

    /// Reads and checks a token's text: the signature first (in constant time), then the body,
    /// then the time against `now` (seconds since 1970).
    public static func verify(_ text: String, key: SymmetricKey, now: Int64) -> Result<DoiToken, Refusal> {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard text.utf8.count <= 1_000, parts.count == 3, parts[0] == "v1",
              let body = bytes(base64url: String(parts[1])), let mac = bytes(base64url: String(parts[2])), mac.count == 16
        else { return .failure(.forged) }
        let expected = Array(HMAC<SHA256>.authenticationCode(for: body, using: key)).prefix(16)
        var difference: UInt8 = 0
        for (a, b) in zip(expected, mac) { difference |= a ^ b }
        guard difference == 0 else { return .failure(.forged) }
        guard let token = try? body.withUnsafeBytes({ buffer -> DoiToken? in
            var reader = BinaryReader(buffer)
            guard let purpose = Purpose(rawValue: try reader.readUInt8("purpose")) else { return nil }
            let contact = StreamID(try reader.readUInt64("contact"))
            guard let channel = ConsentChannel(rawValue: try reader.readString("channel")) else { return nil }
            let scopePurpose = try reader.readString("purpose")
            let form = try reader.readString("form")
            let version = try reader.readVarint("form version")
            let id = try reader.readString("id")
            let expires = try reader.readInt64("expiry")
            guard reader.isAtEnd, version <= UInt64(UInt32.max) else { return nil }
            return DoiToken(purpose: purpose, contact: contact, scope: ConsentScope(channel: channel, purpose: scopePurpose), form: form, formVersion: UInt32(version), id: id, expiresAt: expires)
        }) else { return .failure(.forged) }
        if token.expiresAt != 0, now >= token.expiresAt { return .failure(.expired(token)) }
        return .success(token)
    }

    static func base64url(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func bytes(base64url text: String) -> [UInt8]? {
        guard text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F }) else { return nil }
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while standard.utf8.count % 4 != 0 { standard += "=" }
        return Data(base64Encoded: standard).map(Array.init)
    }
}
