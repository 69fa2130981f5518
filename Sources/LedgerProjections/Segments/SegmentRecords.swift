import LedgerDomain

/// A dynamic segment's current rule, as `segment-rules` keeps it (name → record).
public struct SegmentRuleRecord: Hashable, Sendable {
    /// The segment's own stream (category segment).
    public var stream: StreamID
    /// The rule's version.
    public var version: UInt64
    /// Where the rule was defined in the log.
    public var position: UInt64
    /// When it was defined.
    public var definedAt: Int64
    /// When every contact was last evaluated against it (its definition or a refresh).
    public var evaluatedAt: Int64
    /// The rule document (canonical JSON).
    public var rule: String

    func encoded() -> [UInt8] {
        var writer = BinaryWriter(capacity: 64 + rule.utf8.count)
        writer.write(stream.rawValue)
        writer.write(version)
        writer.write(position)
        writer.write(definedAt)
        writer.write(evaluatedAt)
        writer.writeString(rule)
        return writer.bytes
    }

    init(stream: StreamID, version: UInt64, position: UInt64, definedAt: Int64, evaluatedAt: Int64, rule: String) {
        self.stream = stream
        self.version = version
        self.position = position
        self.definedAt = definedAt
        self.evaluatedAt = evaluatedAt
        self.rule = rule
    }

    init(decoding bytes: UnsafeRawBufferPointer) throws(BinaryFormatError) {
        var reader = BinaryReader(bytes)
        stream = StreamID(try reader.readUInt64("stream"))
        version = try reader.readUInt64("version")
        position = try reader.readUInt64("position")
        definedAt = try reader.readInt64("defined at")
        evaluatedAt = try reader.readInt64("evaluated at")
        rule = try reader.readString("rule")
    }
}

/// One entry of a contact's membership history in a dynamic segment.
public struct SegmentTransition: Hashable, Sendable {
    /// Entered (true) or left.
    public var entered: Bool
    /// When, in microseconds since 1970.
    public var at: Int64
    /// The log position of the event that caused it: the contact's own event, the rule's
    /// definition, or a refresh.
    public var position: UInt64
    /// The rule version it was evaluated under.
    public var version: UInt64

    /// Describes a transition.
    public init(entered: Bool, at: Int64, position: UInt64, version: UInt64) {
        self.entered = entered
        self.at = at
        self.position = position
        self.version = version
    }

    func encodedValue() -> [UInt8] {
        var writer = BinaryWriter(capacity: 17)
        writer.write(UInt8(entered ? 1 : 0))
        writer.write(at)
        writer.write(version)
        return writer.bytes
    }

    init(position: UInt64, value bytes: UnsafeRawBufferPointer) throws(BinaryFormatError) {
        var reader = BinaryReader(bytes)
        entered = try reader.readUInt8("direction") == 1
        at = try reader.readInt64("time")
        version = try reader.readUInt64("version")
        self.position = position
    }
}

/// The keys of the segment tables: a segment's name, a zero byte (names hold no control
/// characters), then big-endian numbers, so one segment's entries are one key range in
/// stream order (and a contact's history in position order).
enum SegmentKeys {
    /// `segment-rules`' key that marks the projection awake.
    static let active: [UInt8] = [0] + Array("active".utf8)

    static func prefix(_ segment: String) -> [UInt8] {
        Array(segment.utf8) + [0]
    }

    static func member(_ segment: String, _ stream: StreamID) -> [UInt8] {
        prefix(segment) + bigEndian(stream.rawValue)
    }

    static func history(_ segment: String, _ stream: StreamID, _ position: UInt64) -> [UInt8] {
        member(segment, stream) + bigEndian(position)
    }

    static func stream(_ stream: StreamID) -> [UInt8] {
        bigEndian(stream.rawValue)
    }

    static func bigEndian(_ value: UInt64) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    static func readBigEndian(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in offset..<(offset + 8) { value = value << 8 | UInt64(bytes[index]) }
        return value
    }

    /// Whether `key` starts with `prefix`.
    static func starts(_ key: UnsafeRawBufferPointer, with prefix: [UInt8]) -> Bool {
        key.count >= prefix.count && prefix.withUnsafeBytes { $0.elementsEqual(key.prefix(prefix.count)) }
    }
}
