/// `apikey.created` v1: an API key was issued, with the scopes it grants and the SHA-256 of
/// its secret (never the secret).
public struct ApiKeyCreated: Hashable, Sendable {
    /// The key's name: the actor of every event written with it (`api-key:NAME`).
    public var name: String
    /// The scopes granted, e.g. `contacts:write`, in the order given.
    public var scopes: [String]
    /// SHA-256 of the secret's UTF-8 bytes: 32 bytes.
    public var secretSHA256: [UInt8]

    /// Describes an issued key.
    public init(name: String, scopes: [String], secretSHA256: [UInt8]) {
        self.name = name
        self.scopes = scopes
        self.secretSHA256 = secretSHA256
    }
}

extension ApiKeyCreated: EventPayload {
    static func decode(version: UInt16, from payload: inout PayloadReader) throws(PayloadError) -> Self? {
        switch version {
        case 1: try decodeV1(&payload)
        default: nil
        }
    }

    static func decodeV1(_ payload: inout PayloadReader) throws(PayloadError) -> Self {
        try payload.readData { reader in
            let name = try reader.readString("key name")
            let count = try reader.readVarint("scope count")
            guard count <= 64 else { throw BinaryFormatError(offset: reader.offset, what: "scope count \(count)") }
            var scopes = [String]()
            for _ in 0..<count { scopes.append(try reader.readString("scope")) }
            let hash = try reader.readBytes("secret hash")
            return Self(name: name, scopes: scopes, secretSHA256: hash)
        }
    }

    func encode(into payload: inout PayloadWriter) {
        payload.data.writeString(name)
        payload.data.writeVarint(UInt64(scopes.count))
        for scope in scopes { payload.data.writeString(scope) }
        payload.data.writeBytes(secretSHA256)
    }

    var jsonObject: [String: JSONValue] {
        [
            "name": .string(name),
            "scopes": .array(scopes.map(JSONValue.string)),
            "secretSha256": .string(secretSHA256.map { byte in
                let digits = Array("0123456789abcdef")
                return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
            }.joined()),
        ]
    }
}

/// `apikey.revoked` v1: an API key stopped working; requests signed with it get 401.
public struct ApiKeyRevoked: Hashable, Sendable {
    /// The key's name.
    public var name: String

    /// Names the revoked key.
    public init(name: String) {
        self.name = name
    }
}

extension ApiKeyRevoked: EventPayload {
    static func decode(version: UInt16, from payload: inout PayloadReader) throws(PayloadError) -> Self? {
        switch version {
        case 1: Self(name: try payload.readData { try $0.readString("key name") })
        default: nil
        }
    }

    func encode(into payload: inout PayloadWriter) {
        payload.data.writeString(name)
    }

    var jsonObject: [String: JSONValue] {
        ["name": .string(name)]
    }
}
