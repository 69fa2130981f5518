import LedgerDomain
import Testing

@Suite("Stored event records")
struct EventRecordTests {
    static let digest = FileDigest(bytes: (0..<32).map { UInt8($0) }) ?? .zero

    static func record(_ event: NewEvent) -> [UInt8] {
        var writer = BinaryWriter()
        EventRecord.encodeBody(event, stream: StreamID(9), version: 3, recordedAt: 1_700_000_000_123_456, into: &writer)
        writer.writeRaw([UInt8](repeating: 0xAA, count: 32))
        return writer.bytes
    }

    @Test("records decoded through one reused buffer each read as themselves, and one kept alive keeps its bytes")
    func reusedBuffer() throws {
        let events = (0..<4).map { index in
            NewEvent(
                type: EventType(index % 2 == 0 ? "contact.fields-changed" : "contact.created", version: 2),
                actor: Actor(.apiKey, "crm-\(index)"),
                source: .api(key: "crm", requestID: String(repeating: "r", count: 40 - 10 * index)),
                data: [UInt8](repeating: UInt8(index), count: 3 + index),
                personalData: [UInt8](repeating: 9, count: 50 - 10 * index),
                personalDataSealed: false
            )
        }
        var buffer = [UInt8]()
        var kept = [RecordedEvent]()
        for (index, event) in events.enumerated() {
            let bytes = Self.record(event)
            let decoded = try bytes.withUnsafeBytes { try RecordedEvent(position: UInt64(index + 1), record: $0, reusing: &buffer) }
            #expect(decoded.storage == bytes)
            #expect(decoded.id == event.id && decoded.type == event.type && decoded.source == event.source)
            #expect(Array(decoded.personalData) == event.personalData)
            if index == 1 { kept.append(decoded) }
        }
        // Decoded second and kept while later records were decoded through the same buffer.
        #expect(kept[0].storage == Self.record(events[1]))
        #expect(kept[0].actor == events[1].actor)
        // A malformed record is refused through the reused path as through the other.
        var damaged = Self.record(events[0])
        damaged[0] = 99
        #expect(throws: BinaryFormatError.self) {
            _ = try damaged.withUnsafeBytes { try RecordedEvent(position: 1, record: $0, reusing: &buffer) }
        }
    }

    @Test("every source kind and optional field round-trips", arguments: [
        Source.file(name: "база.csv", sha256: EventRecordTests.digest, row: 12),
        .api(key: "crm", requestID: "req-1"),
        .form(formID: "newsletter", submissionID: "s-9"),
        .migration(batch: "tokens-2026", entry: 77),
        .cli(command: "contact add"),
        .system(reason: "merge"),
    ])
    func roundTrip(source: Source) throws {
        let event = NewEvent(
            type: EventType("contact.fields-changed", version: 2),
            actor: Actor(.apiKey, "crm-sync"),
            source: source,
            correlationID: .timeOrdered(),
            causationID: .timeOrdered(),
            data: [1, 2, 3],
            personalData: [9, 9],
            personalDataSealed: true
        )
        let bytes = Self.record(event)
        let decoded = try bytes.withUnsafeBytes { try RecordedEvent(position: 5, record: $0) }
        #expect(decoded.position == 5)
        #expect(decoded.id == event.id)
        #expect(decoded.stream == StreamID(9))
        #expect(decoded.version == 3)
        #expect(decoded.recordedAt == 1_700_000_000_123_456)
        #expect(decoded.type == event.type)
        #expect(decoded.hasTypeName("contact.fields-changed"))
        #expect(!decoded.hasTypeName("contact.created"))
        #expect(decoded.actor == event.actor)
        #expect(decoded.source == source)
        #expect(decoded.sourceKindCode == source.kindCode)
        if case .file(let name, _, _) = source { #expect(decoded.sourceFileName == name) } else { #expect(decoded.sourceFileName == nil) }
        #expect(decoded.correlationID == event.correlationID)
        #expect(decoded.causationID == event.causationID)
        #expect(Array(decoded.data) == [1, 2, 3])
        #expect(Array(decoded.personalData) == [9, 9])
        #expect(decoded.personalDataSealed)
        #expect(Array(decoded.chainHash) == [UInt8](repeating: 0xAA, count: 32))
        try decoded.validateText()
    }

    @Test("the head is laid out byte for byte as the format says, with or without correlation and causation", arguments: [false, true])
    func headLayout(linked: Bool) {
        let event = NewEvent(
            id: EventID(high: 0x0102_0304_0506_0708, low: 0x1112_1314_1516_1718),
            type: EventType("contact.created", version: 0x0203),
            actor: Actor(.user, "ана"),
            source: .file(name: "b.csv", sha256: Self.digest, row: 300),
            correlationID: linked ? EventID(high: 0x2122_2324_2526_2728, low: 0x3132_3334_3536_3738) : nil,
            causationID: linked ? EventID(high: 0x4142_4344_4546_4748, low: 0x5152_5354_5556_5758) : nil,
            data: [7],
            personalData: [],
            personalDataSealed: true
        )
        var writer = BinaryWriter()
        EventRecord.encodeBody(event, stream: StreamID(0x0A0B), version: 0x0C0D, recordedAt: -2, into: &writer)
        var expected: [UInt8] = [1, linked ? 7 : 4]
        expected += [1, 2, 3, 4, 5, 6, 7, 8, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18]
        expected += [0, 0, 0, 0, 0, 0, 0x0A, 0x0B] + [0, 0, 0, 0, 0, 0, 0x0C, 0x0D]
        expected += [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE]
        expected += [0x02, 0x03, 2, 1]
        if linked {
            expected += [0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38]
            expected += [0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58]
        }
        expected += [15] + Array("contact.created".utf8) + [6] + Array("ана".utf8)
        expected += [5] + Array("b.csv".utf8) + (0..<32).map { UInt8($0) } + [0xAC, 0x02]
        expected += [1, 7, 0]
        #expect(writer.bytes == expected)
    }

    @Test("every truncation of a record is an error, never a crash")
    func truncated() {
        let bytes = Self.record(NewEvent(type: EventType("a.b", version: 1), actor: Actor(.user, "u"), source: .cli(command: "c"), data: [1]))
        for length in 0..<(bytes.count - 1) {
            // Dropping bytes from the middle makes every length field disagree with the end.
            let damaged = Array(bytes[..<length]) + Array(bytes[(length + 1)...])
            #expect(throws: BinaryFormatError.self) {
                _ = try damaged.withUnsafeBytes { try RecordedEvent(position: 1, record: $0) }
            }
        }
    }

    @Test("an unknown format number is refused")
    func unknownFormat() {
        var bytes = Self.record(NewEvent(type: EventType("a.b", version: 1), actor: Actor(.user, "u"), source: .cli(command: "c")))
        bytes[0] = 99
        #expect(throws: BinaryFormatError.self) { _ = try bytes.withUnsafeBytes { try RecordedEvent(position: 1, record: $0) } }
    }
}
