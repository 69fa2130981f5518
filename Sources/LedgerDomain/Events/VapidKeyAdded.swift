/// `vapid.key-added` v1: a VAPID key pair we can sign with (RFC 8292), on a stream of its own:
/// one from the previous provider or one we generated, with the origins we serve with it.
///
/// The private key is personal-grade secret: sealed under the stream's own key and never
/// shown again. The public key and its fingerprint are public by design.
public struct VapidKeyAdded: Hashable, Sendable {
    /// The fingerprint tokens record (`TokenSubscription.vapidKey`).
    public var fingerprint: String
    /// The public key, base64url of the 65-byte uncompressed P-256 point.
    public var publicKey: String
    /// The site origins we serve with this key, e.g. `https://shop.example`.
    public var origins: [String]
    /// Whether we generated it (`vapid generate`) rather than brought it (`vapid add`).
    public var generated: Bool
    /// The private key, base64url of the 32-byte scalar; erased when read without the key.
    public var privateKey: Personal<String>

    /// Describes a key pair.
    public init(fingerprint: String, publicKey: String, origins: [String], generated: Bool, privateKey: Personal<String>) {
        self.fingerprint = fingerprint
        self.publicKey = publicKey
        self.origins = origins
        self.generated = generated
        self.privateKey = privateKey
    }
}

extension VapidKeyAdded: EventPayload {
    static func decode(version: UInt16, from payload: inout PayloadReader) throws(PayloadError) -> Self? {
        switch version {
        case 1:
            let facts = try payload.readData { reader in
                (try reader.readString("fingerprint"), try reader.readString("public key"),
                 try reader.readStrings("origin"), try reader.readBool("generated"))
            }
            return Self(
                fingerprint: facts.0, publicKey: facts.1, origins: facts.2, generated: facts.3,
                privateKey: try payload.readPersonal { try $0.readString("private key") })
        default: return nil
        }
    }

    func encode(into payload: inout PayloadWriter) {
        payload.data.writeString(fingerprint)
        payload.data.writeString(publicKey)
        payload.data.writeStrings(origins)
        payload.data.writeBool(generated)
        payload.writePersonal(privateKey) { $0.writeString($1) }
    }

    /// The private key never appears in JSON, sealed or not: `ledger events` prints payloads.
    var jsonObject: [String: JSONValue] {
        [
            "fingerprint": .string(fingerprint), "publicKey": .string(publicKey),
            "origins": .array(origins.map(JSONValue.string)), "generated": .bool(generated),
            "privateKey": privateKey.isErased ? erasedJSON : .string("[withheld]"),
        ]
    }
}
