/// One event as the ledger holds it: the envelope, the payload and its place in the log.
///
/// Decoding copies the stored record once and reads the fixed header; variable-length
/// fields (actor, source, payload) are read from that copy when asked for, which keeps a
/// full scan of the log fast.
public struct RecordedEvent: Sendable {
    /// The global position in the log; the first event is 1.
    public let position: UInt64
    /// The stored record, body and chain hash.
    public let storage: [UInt8]
    /// The event's id.
    public let id: EventID
    /// The stream the event belongs to.
    public let stream: StreamID
    /// The event's version within its stream; the first is 1.
    public let version: UInt64
    /// When the ledger recorded it, in microseconds since 1970-01-01 UTC.
    public let recordedAt: Int64
    /// The payload format's version.
    public let typeVersion: UInt16
    /// The event that started the chain of work, if any.
    public let correlationID: EventID?
    /// The event that caused this one, if any.
    public let causationID: EventID?
    /// Whether the personal data is sealed with the contact's key.
    public let personalDataSealed: Bool

    let actorKind: UInt8
    let sourceKind: UInt8
    let typeNameRange: Range<Int>
    let actorNameRange: Range<Int>
    let sourceRange: Range<Int>
    let dataRange: Range<Int>
    let personalRange: Range<Int>

    /// Decodes a stored record at `position`; malformed bytes are an error, never a crash.
    public init(position: UInt64, record: UnsafeRawBufferPointer) throws(BinaryFormatError) {
        try self.init(position: position, record: record, storage: Array(record))
    }

    /// The same, with the record's bytes copied into `buffer`, which the event then shares: a
    /// reader that decodes events one after another and drops each before the next passes the
    /// same array every time, and once the event before is gone its storage is reused instead
    /// of allocated and freed per event. An event still alive keeps its bytes (copy on write).
    public init(position: UInt64, record: UnsafeRawBufferPointer, reusing buffer: inout [UInt8]) throws(BinaryFormatError) {
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: record)
        try self.init(position: position, record: record, storage: buffer)
    }

    private init(position: UInt64, record: UnsafeRawBufferPointer, storage: [UInt8]) throws(BinaryFormatError) {
        guard record.count > EventRecord.hashLength else {
            throw BinaryFormatError(offset: 0, what: "record shorter than its hash")
        }
        let body = UnsafeRawBufferPointer(rebasing: record[0..<(record.count - EventRecord.hashLength)])
        var reader = BinaryReader(body)
        let format = try reader.readUInt8("format")
        guard format == EventRecord.currentFormat else {
            throw BinaryFormatError(offset: 0, what: "unknown record format \(format)")
        }
        let flags = try reader.readUInt8("flags")
        id = EventID(high: try reader.readUInt64("id"), low: try reader.readUInt64("id"))
        stream = StreamID(try reader.readUInt64("stream"))
        version = try reader.readUInt64("version")
        recordedAt = try reader.readInt64("recordedAt")
        typeVersion = try reader.readUInt16("type version")
        actorKind = try reader.readUInt8("actor kind")
        sourceKind = try reader.readUInt8("source kind")
        correlationID = flags & EventRecord.Flag.correlation != 0
            ? EventID(high: try reader.readUInt64("correlation"), low: try reader.readUInt64("correlation")) : nil
        causationID = flags & EventRecord.Flag.causation != 0
            ? EventID(high: try reader.readUInt64("causation"), low: try reader.readUInt64("causation")) : nil
        personalDataSealed = flags & EventRecord.Flag.personalSealed != 0
        typeNameRange = try reader.readBytesRange("type name")
        actorNameRange = try reader.readBytesRange("actor name")
        let sourceStart = reader.offset
        switch sourceKind {
        case EventRecord.SourceKind.file:
            _ = try reader.readBytesRange("source file name")
            _ = try reader.readRawRange(count: 32, "source file digest")
            _ = try reader.readVarint("source row")
        case EventRecord.SourceKind.api, EventRecord.SourceKind.form:
            _ = try reader.readBytesRange("source")
            _ = try reader.readBytesRange("source")
        case EventRecord.SourceKind.migration:
            _ = try reader.readBytesRange("source batch")
            _ = try reader.readVarint("source entry")
        case EventRecord.SourceKind.cli, EventRecord.SourceKind.system:
            _ = try reader.readBytesRange("source")
        default:
            throw BinaryFormatError(offset: sourceStart, what: "unknown source kind \(sourceKind)")
        }
        sourceRange = sourceStart..<reader.offset
        dataRange = try reader.readBytesRange("data")
        personalRange = try reader.readBytesRange("personal data")
        guard reader.isAtEnd else { throw BinaryFormatError(offset: reader.offset, what: "trailing bytes") }
        self.position = position
        self.storage = storage
    }

    /// The bytes the chain hash covers.
    public var body: ArraySlice<UInt8> { storage[0..<(storage.count - EventRecord.hashLength)] }

    /// The stored chain hash.
    public var chainHash: ArraySlice<UInt8> { storage[(storage.count - EventRecord.hashLength)...] }

    /// The event's type tag and payload version.
    public var type: EventType {
        EventType(utf8String(typeNameRange), version: typeVersion)
    }

    /// Whether the type name is `name`, without building a String.
    public func hasTypeName(_ name: StaticString) -> Bool {
        guard name.utf8CodeUnitCount == typeNameRange.count else { return false }
        return storage.withUnsafeBufferPointer { buffer in
            memcmpEqual(buffer.baseAddress.map { $0 + typeNameRange.lowerBound }, name.utf8Start, typeNameRange.count)
        }
    }

    /// Runs `body` with the type name's stored UTF-8 bytes, without building a String.
    public func withTypeName<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        storage.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[typeNameRange])) }
    }

    /// Who made the change.
    public var actor: Actor {
        Actor(Actor.Kind(rawValue: actorKind), utf8String(actorNameRange))
    }

    /// Where the change came from.
    public var source: Source {
        storage.withUnsafeBytes { raw in
            var reader = BinaryReader(raw, offset: sourceRange.lowerBound)
            // The ranges were checked at decode time, so these reads cannot fail; the
            // fallbacks only keep the accessor total.
            func string() -> String {
                (try? reader.readBytesRange()).map { String(decoding: raw[$0], as: UTF8.self) } ?? ""
            }
            func varint() -> UInt64 { (try? reader.readVarint()) ?? 0 }
            switch sourceKind {
            case EventRecord.SourceKind.file:
                let name = string()
                let digest = (try? reader.readRawRange(count: 32)).flatMap { FileDigest(bytes: raw[$0]) }
                return .file(name: name, sha256: digest ?? FileDigest.zero, row: varint())
            case EventRecord.SourceKind.api:
                let key = string()
                return .api(key: key, requestID: string())
            case EventRecord.SourceKind.form:
                let form = string()
                return .form(formID: form, submissionID: string())
            case EventRecord.SourceKind.migration:
                let batch = string()
                return .migration(batch: batch, entry: varint())
            case EventRecord.SourceKind.cli:
                return .cli(command: string())
            default:
                return .system(reason: string())
            }
        }
    }

    /// The kind of its source (`Source.kindCode`), read without building the source.
    public var sourceKindCode: UInt8 { sourceKind }

    /// The imported file's name when the source is a file's row (nil otherwise), read without
    /// building the rest of the source (a follower reads this for every event it folds).
    public var sourceFileName: String? {
        guard sourceKind == EventRecord.SourceKind.file else { return nil }
        return storage.withUnsafeBytes { raw in
            var reader = BinaryReader(raw, offset: sourceRange.lowerBound)
            // Checked at decode time: this read cannot fail.
            return (try? reader.readBytesRange()).map { String(decoding: raw[$0], as: UTF8.self) }
        }
    }

    /// The non-personal payload bytes.
    public var data: ArraySlice<UInt8> { storage[dataRange] }

    /// The personal payload bytes, sealed when `personalDataSealed` is set.
    public var personalData: ArraySlice<UInt8> { storage[personalRange] }

    private func utf8String(_ range: Range<Int>) -> String {
        storage.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self) }
    }
}

@inline(__always)
private func memcmpEqual(_ lhs: UnsafePointer<UInt8>?, _ rhs: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    guard let lhs else { return count == 0 }
    for index in 0..<count where lhs[index] != rhs[index] { return false }
    return true
}

extension RecordedEvent {
    /// Checks that every text field of the record is valid UTF-8 (verification, not decoding,
    /// pays for this).
    public func validateText() throws(BinaryFormatError) {
        for (range, what) in [(typeNameRange, "type name"), (actorNameRange, "actor name")] {
            let valid = storage.withUnsafeBytes { String(validUTF8: UnsafeRawBufferPointer(rebasing: $0[range])) != nil }
            guard valid else { throw BinaryFormatError(offset: range.lowerBound, what: "\(what) (invalid UTF-8)") }
        }
    }
}
