import Crypto
import LedgerDomain

/// A VAPID key pair (RFC 8292): a P-256 signing key whose public half subscriptions are made
/// with. Checked when it arrives: the public key is a point on the curve and the private key
/// derives it, or the pair is refused.
public struct VapidKeyPair: Sendable {
    /// The public key, base64url of the 65-byte uncompressed point.
    public let publicKey: String
    /// The private key, base64url of the 32-byte scalar.
    public let privateKey: String

    /// Why a pair was refused: a sentence that never quotes the private key.
    public struct Refusal: Error, Sendable, CustomStringConvertible {
        /// The sentence.
        public let message: String
        public var description: String { message }
    }

    /// Checks a pair brought from a previous provider.
    public init(publicKey: String, privateKey: String) throws(Refusal) {
        let publicRaw = try Self.publicKeyBytes(publicKey)
        guard let privateRaw = Base64URL.decode(privateKey.trimmingSpaces) else {
            throw Refusal(message: "the private key is not base64url")
        }
        guard privateRaw.count == 32 else {
            throw Refusal(message: "the private key decodes to \(privateRaw.count) bytes; a P-256 private key is 32")
        }
        guard let signing = try? P256.Signing.PrivateKey(rawRepresentation: privateRaw) else {
            throw Refusal(message: "the private key is not a valid P-256 scalar")
        }
        guard Array(signing.publicKey.x963Representation) == publicRaw else {
            throw Refusal(message: "the private key does not derive the public key: they are not one pair")
        }
        self.publicKey = Base64URL.encode(publicRaw)
        self.privateKey = Base64URL.encode(privateRaw)
    }

    private init(signing: P256.Signing.PrivateKey) {
        publicKey = Base64URL.encode(signing.publicKey.x963Representation)
        privateKey = Base64URL.encode(signing.rawRepresentation)
    }

    /// A new pair of our own.
    public static func generate() -> VapidKeyPair {
        VapidKeyPair(signing: P256.Signing.PrivateKey())
    }

    /// The fingerprint of the public key: the first 16 bytes of its SHA-256, in hex.
    public var fingerprint: String {
        (try? Self.fingerprint(ofPublicKey: publicKey)) ?? ""
    }

    /// The fingerprint of a public key given as base64url; refused when it is not a P-256 point.
    public static func fingerprint(ofPublicKey publicKey: String) throws(Refusal) -> String {
        let raw = try publicKeyBytes(publicKey)
        return Hex.encode(SHA256.hash(data: raw).prefix(16))
    }

    private static func publicKeyBytes(_ text: String) throws(Refusal) -> [UInt8] {
        guard let raw = Base64URL.decode(text.trimmingSpaces) else { throw Refusal(message: "the public key is not base64url") }
        guard raw.count == 65, raw[0] == 0x04 else {
            throw Refusal(message: "the public key decodes to \(raw.count) bytes; a VAPID public key is a 65-byte uncompressed P-256 point")
        }
        guard (try? P256.Signing.PublicKey(x963Representation: raw)) != nil else {
            throw Refusal(message: "the public key is not a point on P-256")
        }
        return raw
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(self.drop(while: { $0 == " " || $0 == "\n" || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\n" || $0 == "\t" }).reversed())
    }
}
