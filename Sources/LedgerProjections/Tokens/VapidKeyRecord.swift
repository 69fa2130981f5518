import LedgerDomain

/// A VAPID key pair we hold, as the token projection keeps it: never the private key.
public struct VapidKeyRecord: Hashable, Sendable {
    /// The public key's fingerprint (`TokenSubscription.vapidKey`).
    public var fingerprint: String
    /// The public key, base64url.
    public var publicKey: String
    /// The origins we serve with it.
    public var origins: [String]
    /// The key pair's stream, which holds the sealed private key.
    public var stream: StreamID
    /// Whether we generated it.
    public var generated: Bool

    /// Describes a held key.
    public init(fingerprint: String, publicKey: String, origins: [String], stream: StreamID, generated: Bool) {
        self.fingerprint = fingerprint
        self.publicKey = publicKey
        self.origins = origins
        self.stream = stream
        self.generated = generated
    }

    var encoded: [UInt8] {
        var writer = BinaryWriter(capacity: 128)
        writer.write(UInt8(1))
        writer.writeString(fingerprint)
        writer.writeString(publicKey)
        writer.writeVarint(UInt64(origins.count))
        for origin in origins { writer.writeString(origin) }
        writer.writeVarint(stream.rawValue)
        writer.write(UInt8(generated ? 1 : 0))
        return writer.bytes
    }

    init(decoding bytes: UnsafeRawBufferPointer) throws {
        var reader = BinaryReader(bytes)
        guard try reader.readUInt8("vapid record format") == 1 else { throw BinaryFormatError(offset: 0, what: "vapid record format") }
        fingerprint = try reader.readString("fingerprint")
        publicKey = try reader.readString("public key")
        origins = try (0..<reader.readVarint("origins")).map { _ in try reader.readString("origin") }
        stream = StreamID(try reader.readVarint("stream"))
        generated = try reader.readUInt8("generated") == 1
    }
}
