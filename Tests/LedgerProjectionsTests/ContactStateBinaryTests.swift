import LedgerDomain
import LedgerProjections
import Testing

@Suite("Contact state: binary codec")
struct ContactStateBinaryTests {
    /// A state with something in every part.
    static let rich: ContactState? = fold([
        Events.created(.form),
        Events.added(.email, "a@example.com"),
        Events.added(.email, "олена@example.com"),
        Events.added(.phone, "+380441234567"),
        Events.added(.externalId, "crm-1"),
        .contactFieldsChanged(ContactFieldsChanged(changes: [
            FieldChange(field: .standard(.firstName), from: nil, to: .text("Олена")),
            FieldChange(field: .standard(.birthDate), from: nil, to: .date(Events.date(1961, 3, 9))),
            FieldChange(field: .custom("ltv"), from: nil, to: Events.number("-1250.5")),
            FieldChange(field: .custom("firstOrder"), from: nil, to: .date(Events.date(1, 1, 1))),
            FieldChange(field: .custom("vip"), from: nil, to: .bool(true)),
            FieldChange(field: .custom("tier"), from: nil, to: .text("")),
        ])),
        Events.granted(.formSingleOptIn, evidence: .known(ConsentEvidence(ipAddress: "203.0.113.7", userAgent: "Firefox/140.0"))),
        Events.requested("t1"),
        Events.granted(.api, ConsentScope(channel: .sms, purpose: "offers"), evidence: .known(ConsentEvidence(userAgent: "curl"))),
        Events.withdrawn(ConsentScope(channel: .webpush, purpose: "alerts")),
        .segmentMemberAdded(SegmentMembership(segment: "kyiv")),
        .segmentMemberAdded(SegmentMembership(segment: "trial")),
        .contactMerged(ContactMerged(absorbed: StreamID(17))),
        .contactMergedAway(ContactMergedAway(survivor: StreamID(4))),
    ])

    static func roundTrip(_ state: ContactState) throws -> ContactState {
        try ContactState(decoding: state.encoded())
    }

    @Test("a state with every part round-trips")
    func richRoundTrip() throws {
        let state = try #require(Self.rich)
        #expect(try Self.roundTrip(state) == state)
        #expect(state.encoded().first == ContactState.binaryFormat)
    }

    @Test("minimal and erased states round-trip")
    func smallStates() throws {
        let minimal = ContactState(id: StreamID(1), createdAt: -5)
        #expect(try Self.roundTrip(minimal) == minimal)
        let erased = try #require(fold([.contactErased(ContactErased(reason: "gdpr-request"))], from: Self.rich, offset: 20))
        #expect(try Self.roundTrip(erased) == erased)
        // An erased contact's bytes hold no personal value.
        let bytes = erased.encoded()
        #expect(!bytes.containsRun(Array("example.com".utf8)))
    }

    @Test("equal states encode to equal bytes whatever their dictionaries' order")
    func canonicalBytes() throws {
        let state = try #require(Self.rich)
        let decoded = try Self.roundTrip(state)
        #expect(decoded.encoded() == state.encoded())
    }

    @Test("tables are written in key order whatever their size or insertion order", arguments: [1, 2, 8, 9, 20])
    func tableOrder(count: Int) throws {
        func padded(_ number: Int) -> String { number < 10 ? "0\(number)" : "\(number)" }
        let names = (0..<count).map { "field-\(padded($0))" }
        let scopes = (0..<count).map { ConsentScope(channel: $0.isMultiple(of: 2) ? .email : .sms, purpose: "p\(padded($0))") }
        func state(_ order: [Int]) throws -> ContactState {
            let fields = ContactEvent.contactFieldsChanged(ContactFieldsChanged(changes: order.map { FieldChange(field: .custom(names[$0]), from: nil, to: .text("v\($0)")) }))
            let standard = ContactEvent.contactFieldsChanged(ContactFieldsChanged(changes: [StandardField.timeZone, .firstName, .languageCode, .lastName].map { FieldChange(field: .standard($0), from: nil, to: .text("\($0)")) }))
            // Consents in one order for both: a grant's place is part of its record.
            return try #require(fold([Events.created(), fields, standard] + scopes.reversed().map { Events.granted(.api, $0) }))
        }
        let forward = try state(Array(0..<count))
        let backward = try state((0..<count).reversed())
        #expect(forward.encoded() == backward.encoded())
        #expect(try Self.roundTrip(forward) == forward)
        // Custom field names, then consent purposes, appear in sorted order in the bytes.
        let bytes = forward.encoded()
        let offsets = try (names + scopes.sorted { ($0.channel.rawValue == "email" ? 0 : 1, $0.purpose) < ($1.channel.rawValue == "email" ? 0 : 1, $1.purpose) }.map(\.purpose)).map { name in
            try #require(bytes.firstRun(Array(name.utf8)), "\(name)")
        }
        #expect(offsets == offsets.sorted())
        let standard = try [StandardField.firstName, .lastName, .languageCode, .timeZone].map { field in
            try #require(bytes.firstRun(Array("\(field)".utf8)), "\(field)")
        }
        #expect(standard == standard.sorted())
    }

    @Test("a prepared state is encoded as placed without being placed first, also from a tail encoded ahead", arguments: 0..<50)
    func placedEncoding(seed: UInt64) throws {
        var random = RandomEvents(seed: seed)
        // Folded ahead as a bulk import's preparer does (unplaced), so consents are placed too.
        var ahead: ContactState?
        for (index, event) in ([Events.created()] + random.events(count: Int(seed % 30) + 1)).enumerated() {
            ContactState.fold(into: &ahead, event, meta: .unplaced(index))
        }
        let state = try #require(ahead)
        let first = 100 + seed
        let placed = state.placed(stream: StreamID(seed + 1000), recordedAt: baseTime + Int64(seed), firstPosition: first).encoded()
        var writer = BinaryWriter()
        writer.write(UInt8(0xEE))
        state.encode(placedIn: StreamID(seed + 1000), recordedAt: baseTime + Int64(seed), firstPosition: first, into: &writer)
        #expect(writer.bytes == [0xEE] + placed, "seed \(seed)")
        // As the projection writes a prepared contact: the head, then the tail the preparer encoded.
        let shared = SharedContactState(state, encodingTail: true)
        #expect(shared.tail != nil)
        writer.removeAll()
        shared.encode(placedIn: StreamID(seed + 1000), recordedAt: baseTime + Int64(seed), firstPosition: first, into: &writer)
        #expect(writer.bytes == placed, "seed \(seed)")
    }

    @Test("random histories: fold, encode, decode gives the same state; so does resuming from a snapshot", arguments: 0..<200)
    func property(seed: UInt64) throws {
        var random = RandomEvents(seed: seed)
        let events = random.events(count: Int(seed % 60) + 1)
        let whole = fold(events)
        if let whole {
            #expect(try Self.roundTrip(whole) == whole, "seed \(seed)")
        }
        let split = Int(seed * 7 % UInt64(events.count + 1))
        let head = fold(Array(events[..<split]))
        let snapshot = try head.map { try Self.roundTrip($0) }
        #expect(fold(Array(events[split...]), from: snapshot, offset: split) == whole, "seed \(seed) split \(split)")
    }

    @Test("every truncation of valid bytes is an error")
    func truncated() throws {
        let bytes = try #require(Self.rich).encoded()
        for length in 0..<bytes.count {
            #expect(throws: BinaryFormatError.self) { try ContactState(decoding: Array(bytes[..<length])) }
        }
    }

    @Test("an unknown format, unknown flags and trailing bytes are errors")
    func framing() throws {
        let bytes = try #require(Self.rich).encoded()
        var format = bytes
        format[0] = 2
        #expect(throws: BinaryFormatError.self) { try ContactState(decoding: format) }
        var flags = bytes
        flags[1] |= 0x80
        #expect(throws: BinaryFormatError.self) { try ContactState(decoding: flags) }
        #expect(throws: BinaryFormatError.self) { try ContactState(decoding: bytes + [0]) }
    }

    @Test("unknown codes, bad values and repeats are errors")
    func malformedContent() {
        // format 1, no flags, id 1, created 0, updated 0, then the parts' counts.
        let header: [UInt8] = [1, 0, 1, 0, 0]
        let empty: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0]
        #expect(throws: Never.self) { try ContactState(decoding: header + empty) }
        let cases: [(String, [UInt8])] = [
            ("entry channel 9", [1, 2, 1, 0, 0, 9] + empty),
            ("survivor stream 0", [1, 4, 1, 0, 0, 0] + empty),
            ("repeated absorbed stream", header + [2, 5, 5] + Array(empty.dropFirst())),
            ("repeated e-mail", header + [0, 2, 1, 0x61, 1, 0x61, 0, 0, 0, 0, 0, 0]),
            ("invalid UTF-8", header + [0, 1, 1, 0xFF, 0, 0, 0, 0, 0, 0]),
            ("standard field 6", header + [0, 0, 0, 0, 1, 6, 4, 1, 0, 0, 0]),
            ("field type 5", header + [0, 0, 0, 0, 0, 1, 1, 0x61, 5, 0, 0]),
            ("non-canonical number", header + [0, 0, 0, 0, 0, 1, 1, 0x61, 2, 2, 0x30, 0x31, 0, 0]),
            ("bool 2", header + [0, 0, 0, 0, 0, 1, 1, 0x61, 4, 2, 0, 0]),
            ("date out of range", header + [0, 0, 0, 0, 0, 1, 1, 0x61, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0, 0]),
            ("count beyond the bytes", header + [0, 0, 0, 0, 0, 0, 0x7F]),
            ("consent status 0", header + [0, 0, 0, 0, 0, 0, 1, 1, 1, 0x6E, 0, 0, 1, 0, 1, 0, 0, 0]),
        ]
        for (what, bytes) in cases {
            #expect(throws: BinaryFormatError.self, "\(what)") { try ContactState(decoding: bytes) }
        }
    }

    @Test("random bytes and single-byte corruptions never crash", arguments: 0..<20)
    func fuzz(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        for _ in 0..<200 {
            let noise = (0..<Int.random(in: 0..<40, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = try? ContactState(decoding: [1, 0] + noise)
        }
        var bytes = try #require(Self.rich).encoded()
        for _ in 0..<200 {
            let index = Int.random(in: 0..<bytes.count, using: &generator)
            let saved = bytes[index]
            bytes[index] = UInt8.random(in: 0...255, using: &generator)
            if let state = try? ContactState(decoding: bytes) {
                // Whatever decodes must be a state that encodes again.
                #expect(try ContactState(decoding: state.encoded()) == state)
            }
            bytes[index] = saved
        }
    }
}

extension Array where Element == UInt8 {
    /// Where `run` first occurs in the bytes.
    func firstRun(_ run: [UInt8]) -> Int? {
        guard run.count <= count else { return nil }
        return (0...(count - run.count)).first { Array(self[$0..<($0 + run.count)]) == run }
    }

    /// Whether `run` occurs in the bytes.
    func containsRun(_ run: [UInt8]) -> Bool {
        guard run.count <= count else { return false }
        return (0...(count - run.count)).contains { Array(self[$0..<($0 + run.count)]) == run }
    }
}
