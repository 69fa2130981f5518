/// The stored form of one event: a versioned binary body followed by its chain hash.
///
/// Layout of format 1 (integers big-endian):
///
///     format u8 = 1 | flags u8 | id 16 | stream u64 | version u64 | recordedAt i64 (µs)
///     | type version u16 | actor kind u8 | source kind u8
///     | correlation 16 (flag 1) | causation 16 (flag 2)
///     | type name, actor name: varint length + UTF-8
///     | source fields (by kind) | data: varint length + bytes | personal data: same
///     | chain hash 32 = SHA-256(previous event's chain hash ‖ everything before it)
///
/// The hash covers the stored bytes as they are, so sealing personal data before it is
/// stored, and later destroying the key, never breaks the chain.
public enum EventRecord {
    /// The current format; a new layout gets a new number and an upcaster, never an edit.
    public static let currentFormat: UInt8 = 1
    /// The length of the chain hash trailer.
    public static let hashLength = 32
    /// The chain hash before the first event.
    public static let genesisHash = [UInt8](repeating: 0, count: 32)
    /// Where the id sits in a body (16 bytes).
    public static let idOffset = 2
    /// Where the stream sits in a body (u64); the writer fills it in at append time.
    public static let streamOffset = 18
    /// Where the stream version sits in a body (u64); filled in at append time.
    public static let versionOffset = 26
    /// Where the recording time sits in a body (i64 µs); filled in at append time.
    public static let recordedAtOffset = 34
    /// The length of the fields every body starts with: format, flags, id, stream, version,
    /// time, type version, actor kind and source kind.
    static let fixedHeadLength = recordedAtOffset + 12

    /// The stream and version of a stored record, read at their fixed offsets without decoding
    /// the rest (an index rebuild reads nothing else); nil when the record is too short or of
    /// an unknown format.
    public static func streamAndVersion(of record: UnsafeRawBufferPointer) -> (stream: UInt64, version: UInt64)? {
        guard record.count >= recordedAtOffset + hashLength, record[0] == currentFormat else { return nil }
        return (
            UInt64(bigEndian: record.loadUnaligned(fromByteOffset: streamOffset, as: UInt64.self)),
            UInt64(bigEndian: record.loadUnaligned(fromByteOffset: versionOffset, as: UInt64.self))
        )
    }

    enum Flag {
        static let correlation: UInt8 = 1
        static let causation: UInt8 = 2
        static let personalSealed: UInt8 = 4
    }

    enum SourceKind {
        static let file: UInt8 = 1
        static let api: UInt8 = 2
        static let form: UInt8 = 3
        static let migration: UInt8 = 4
        static let cli: UInt8 = 5
        static let system: UInt8 = 6
    }

    /// Writes the body of `event` (everything the hash covers) into `writer`.
    public static func encodeBody(
        _ event: NewEvent,
        stream: StreamID,
        version: UInt64,
        recordedAt: Int64,
        into writer: inout BinaryWriter
    ) {
        encodeHead(
            id: event.id, type: event.type, actor: event.actor, source: event.source,
            correlationID: event.correlationID, causationID: event.causationID,
            personalDataSealed: event.personalDataSealed,
            stream: stream, version: version, recordedAt: recordedAt, into: &writer
        )
        writer.writeBytes(event.data)
        writer.writeBytes(event.personalData)
    }

    /// Writes the body up to its payload: what `encodeBody` writes before `data` and
    /// `personalData` (each a varint length and the bytes), for a writer that encodes and
    /// seals the payload straight into the same buffer instead of building a `NewEvent`.
    public static func encodeHead(
        id: EventID,
        type: EventType,
        actor: Actor,
        source: Source,
        correlationID: EventID?,
        causationID: EventID?,
        personalDataSealed: Bool,
        stream: StreamID,
        version: UInt64,
        recordedAt: Int64,
        into writer: inout BinaryWriter
    ) {
        var flags: UInt8 = 0
        if correlationID != nil { flags |= Flag.correlation }
        if causationID != nil { flags |= Flag.causation }
        if personalDataSealed { flags |= Flag.personalSealed }
        // The fixed-size fields, format byte to source kind, laid out on the stack and written
        // in one append: a bulk import encodes millions of heads, and one append per field
        // (each checking the buffer's uniqueness and room) was most of their cost.
        withUnsafeTemporaryAllocation(byteCount: fixedHeadLength, alignment: 8) { head in
            head.storeBytes(of: currentFormat, toByteOffset: 0, as: UInt8.self)
            head.storeBytes(of: flags, toByteOffset: 1, as: UInt8.self)
            head.storeBytes(of: id.high.bigEndian, toByteOffset: idOffset, as: UInt64.self)
            head.storeBytes(of: id.low.bigEndian, toByteOffset: idOffset + 8, as: UInt64.self)
            head.storeBytes(of: stream.rawValue.bigEndian, toByteOffset: streamOffset, as: UInt64.self)
            head.storeBytes(of: version.bigEndian, toByteOffset: versionOffset, as: UInt64.self)
            head.storeBytes(of: recordedAt.bigEndian, toByteOffset: recordedAtOffset, as: Int64.self)
            head.storeBytes(of: type.version.bigEndian, toByteOffset: recordedAtOffset + 8, as: UInt16.self)
            head.storeBytes(of: actor.kind.rawValue, toByteOffset: recordedAtOffset + 10, as: UInt8.self)
            head.storeBytes(of: source.kindCode, toByteOffset: recordedAtOffset + 11, as: UInt8.self)
            writer.writeRaw(UnsafeRawBufferPointer(head))
        }
        if let id = correlationID {
            writer.write(id.high)
            writer.write(id.low)
        }
        if let id = causationID {
            writer.write(id.high)
            writer.write(id.low)
        }
        writer.writeString(type.name)
        writer.writeString(actor.name)
        switch source {
        case .file(let name, let sha256, let row):
            writer.writeString(name)
            writer.writeRaw(sha256.bytes)
            writer.writeVarint(row)
        case .api(let key, let requestID):
            writer.writeString(key)
            writer.writeString(requestID)
        case .form(let formID, let submissionID):
            writer.writeString(formID)
            writer.writeString(submissionID)
        case .migration(let batch, let entry):
            writer.writeString(batch)
            writer.writeVarint(entry)
        case .cli(let command):
            writer.writeString(command)
        case .system(let reason):
            writer.writeString(reason)
        }
    }
}

/// Lowercase hexadecimal text of bytes, and back.
public enum Hex {
    /// The lowercase hex text of `bytes`.
    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of hex text (either case); nil when it is not an even run of hex digits.
    public static func decode(_ text: String) -> [UInt8]? {
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count / 2)
        var pending: UInt8? = nil
        for byte in text.utf8 {
            let nibble: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            if let high = pending {
                out.append(high << 4 | nibble)
                pending = nil
            } else {
                pending = nibble
            }
        }
        return pending == nil ? out : nil
    }
}
