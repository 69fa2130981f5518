/// `token.migrated` v1: a push subscription brought over from a previous provider's export,
/// with the provider, the batch it came in (the file's SHA-256 and row) and the subscription.
public struct TokenMigrated: Hashable, Sendable {
    /// The previous provider, as the operator named it (`onesignal`, `altcraft`, …).
    public var provider: String
    /// The SHA-256 of the file the token came in.
    public var batch: FileDigest
    /// The row (or NDJSON line, or array entry) of that file.
    public var row: UInt64
    /// The subscription as the file described it, with what validation found.
    public var subscription: TokenSubscription

    /// Describes a migrated token.
    public init(provider: String, batch: FileDigest, row: UInt64, subscription: TokenSubscription) {
        self.provider = provider
        self.batch = batch
        self.row = row
        self.subscription = subscription
    }
}

extension TokenMigrated: EventPayload {
    static func decode(version: UInt16, from payload: inout PayloadReader) throws(PayloadError) -> Self? {
        switch version {
        case 1: try decodeV1(&payload)
        default: nil
        }
    }

    static func decodeV1(_ payload: inout PayloadReader) throws(PayloadError) -> Self {
        let (provider, digest, row) = try payload.readData { reader in
            (try reader.readString("provider"), try reader.readBytes("batch digest"), try reader.readVarint("row"))
        }
        guard let batch = FileDigest(bytes: digest) else {
            throw PayloadError(part: .data, cause: BinaryFormatError(offset: 0, what: "batch digest of \(digest.count) bytes"))
        }
        return Self(provider: provider, batch: batch, row: row, subscription: try TokenSubscription.decodeV1(&payload))
    }

    func encode(into payload: inout PayloadWriter) {
        payload.data.writeString(provider)
        payload.data.writeBytes(batch.bytes)
        payload.data.writeVarint(row)
        subscription.encode(into: &payload)
    }

    var jsonObject: [String: JSONValue] {
        var object = subscription.jsonObject
        object["provider"] = .string(provider)
        object["batch"] = .object(["sha256": .string(batch.hex), "row": .number(Double(row))])
        return object
    }
}
