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
        #expect(decoded.correlationID == event.correlationID)
        #expect(decoded.causationID == event.causationID)
        #expect(Array(decoded.data) == [1, 2, 3])
        #expect(Array(decoded.personalData) == [9, 9])
        #expect(decoded.personalDataSealed)
        #expect(Array(decoded.chainHash) == [UInt8](repeating: 0xAA, count: 32))
        try decoded.validateText()
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
