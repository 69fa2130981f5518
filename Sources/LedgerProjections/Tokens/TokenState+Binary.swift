import LedgerDomain

/// The stored form of a token's state in the `tokens` table: format byte 1, then the fields in
/// declaration order (optionals as a presence byte and the value, lists as a count and items).
extension TokenState {
    static let format: UInt8 = 1

    /// The stored bytes.
    public var encoded: [UInt8] {
        var writer = BinaryWriter(capacity: 160)
        writer.write(Self.format)
        writer.writeVarint(stream.rawValue)
        writer.writeString(kind.rawValue)
        writer.writeOptional(provider) { $0.writeString($1) }
        writer.writeOptional(origin) { $0.writeString($1) }
        writer.writeOptional(appID) { $0.writeString($1) }
        writer.writeString(pushService)
        writer.writeOptional(subscribedAt) { $0.write($1) }
        writer.writeOptional(expiresAt) { $0.write($1) }
        writer.writeOptional(vapidKey) { $0.writeString($1) }
        writer.writeVarint(UInt64(problems.count))
        for problem in problems { writer.writeString(problem) }
        writer.writeVarint(UInt64(flags.count))
        for flag in flags { writer.writeString(flag) }
        writer.writeOptional(contact) { $0.writeVarint($1.rawValue) }
        writer.writeOptional(revokedStatus) { $0.write($1) }
        writer.writeVarint(refreshes)
        writer.write(UInt8(erased ? 1 : 0))
        writer.writeOptional(endpointHash) { $0.writeBytes($1) }
        writer.write(firstRecordedAt)
        writer.writeVarint(firstPosition)
        writer.writeVarint(lastPosition)
        return writer.bytes
    }

    /// Reads what `encoded` wrote; a wrong format or shape is a `BinaryFormatError`.
    public init(decoding bytes: UnsafeRawBufferPointer) throws {
        var reader = BinaryReader(bytes)
        let format = try reader.readUInt8("token state format")
        guard format == Self.format else { throw BinaryFormatError(offset: 0, what: "token state format \(format)") }
        let stream = StreamID(try reader.readVarint("stream"))
        guard let kind = TokenKind(rawValue: try reader.readString("kind")) else { throw BinaryFormatError(offset: reader.offset, what: "token kind") }
        let provider = try reader.readOptional { try $0.readString("provider") }
        let origin = try reader.readOptional { try $0.readString("origin") }
        let appID = try reader.readOptional { try $0.readString("app id") }
        let pushService = try reader.readString("push service")
        let subscribedAt = try reader.readOptional { try $0.readInt64("subscribed at") }
        let expiresAt = try reader.readOptional { try $0.readInt64("expires at") }
        let vapidKey = try reader.readOptional { try $0.readString("vapid key") }
        let problems = try (0..<reader.readVarint("problems")).map { _ in try reader.readString("problem") }
        let flags = try (0..<reader.readVarint("flags")).map { _ in try reader.readString("flag") }
        self.init(
            stream: stream,
            subscription: TokenSubscription(
                kind: kind, origin: origin, appID: appID, pushService: pushService, subscribedAt: subscribedAt,
                expiresAt: expiresAt, vapidKey: vapidKey, problems: problems, flags: flags, secret: .erased),
            provider: provider, endpointHash: nil, meta: TokenEventMeta(stream: stream, position: 0, recordedAt: 0))
        contact = try reader.readOptional { StreamID(try $0.readVarint("contact")) }
        revokedStatus = try reader.readOptional { try $0.readUInt16("revoked status") }
        refreshes = try reader.readVarint("refreshes")
        erased = try reader.readUInt8("erased") == 1
        endpointHash = try reader.readOptional { try $0.readBytes("endpoint hash") }
        firstRecordedAt = try reader.readInt64("first recorded at")
        firstPosition = try reader.readVarint("first position")
        lastPosition = try reader.readVarint("last position")
        guard reader.isAtEnd else { throw BinaryFormatError(offset: reader.offset, what: "trailing bytes in a token state") }
    }
}

extension BinaryWriter {
    /// A presence byte, then the value when there is one.
    mutating func writeOptional<Value>(_ value: Value?, _ write: (inout BinaryWriter, Value) -> Void) {
        self.write(UInt8(value == nil ? 0 : 1))
        if let value { write(&self, value) }
    }
}

extension BinaryReader {
    /// Reads what `writeOptional` wrote.
    mutating func readOptional<Value>(_ read: (inout BinaryReader) throws -> Value) throws -> Value? {
        switch try readUInt8("presence") {
        case 0: return nil
        case 1: return try read(&self)
        case let other: throw BinaryFormatError(offset: offset - 1, what: "presence byte \(other)")
        }
    }
}
