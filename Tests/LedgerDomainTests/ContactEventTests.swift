import LedgerDomain
import Testing

@Suite("Domain events: encoding and decoding")
struct ContactEventTests {
    /// Stores `event` as the ledger would (body plus a dummy chain hash) and reads it back.
    static func recorded(_ event: NewEvent, position: UInt64 = 7) throws -> RecordedEvent {
        var writer = BinaryWriter()
        EventRecord.encodeBody(event, stream: StreamID(42), version: 3, recordedAt: 1_795_000_000_000_000, into: &writer)
        writer.writeRaw([UInt8](repeating: 0xAB, count: EventRecord.hashLength))
        return try writer.bytes.withUnsafeBytes { try RecordedEvent(position: position, record: $0) }
    }

    static func newEvent(_ event: ContactEvent) -> NewEvent {
        event.newEvent(actor: Actor(.apiKey, "crm-sync"), source: .api(key: "crm-sync", requestID: "req-1"))
    }

    @Test("every event type round-trips through a stored record", arguments: ContactEventKind.allCases)
    func roundTrip(kind: ContactEventKind) throws {
        let event = ContactEventSamples.sample(kind)
        let new = Self.newEvent(event)
        #expect(new.type == event.kind.currentType)
        #expect(!new.personalDataSealed)
        #expect(new.personalData.isEmpty == !event.kind.carriesPersonalData)
        let stored = try Self.recorded(new)
        #expect(stored.type == event.kind.currentType)
        #expect(try ContactEvent(decoding: stored) == event)
    }

    @Test("envelope fields pass through newEvent")
    func envelopeFields() throws {
        let cause = EventID.timeOrdered()
        let id = EventID.timeOrdered()
        let new = ContactEventSamples.sample(.contactCreated)
            .newEvent(id: id, actor: Actor(.user, "olena"), source: .cli(command: "contact add"), correlation: cause, causation: cause)
        let stored = try Self.recorded(new)
        #expect(stored.id == id)
        #expect(stored.actor == Actor(.user, "olena"))
        #expect(stored.source == .cli(command: "contact add"))
        #expect(stored.correlationID == cause)
        #expect(stored.causationID == cause)
    }

    @Test("sealed personal data reads as erased; unsealed bytes give the whole event", arguments: ContactEventKind.allCases)
    func personalWithheld(kind: ContactEventKind) throws {
        let event = ContactEventSamples.sample(kind)
        var new = Self.newEvent(event)
        let plain = new.personalData
        new.personalData = plain.isEmpty ? [] : [0x5E, 0xA1, 0xED] + plain.map { $0 ^ 0x5A }
        new.personalDataSealed = true
        let stored = try Self.recorded(new)
        #expect(try ContactEvent(decoding: stored) == ContactEventSamples.erased(event))
        #expect(try ContactEvent(decoding: stored, personalData: nil) == ContactEventSamples.erased(event))
        #expect(try ContactEvent(decoding: stored, personalData: plain) == event)
        #expect(try ContactEvent.decode(type: event.type, data: stored.data, personal: nil) == ContactEventSamples.erased(event))
    }

    @Test("erased values can be written and read back as erased", arguments: ContactEventKind.allCases)
    func erasedRoundTrip(kind: ContactEventKind) throws {
        let event = ContactEventSamples.sample(kind)
        let erased = ContactEventSamples.erased(event)
        #expect(try ContactEvent(decoding: Self.recorded(Self.newEvent(erased))) == erased)
    }

    @Test("an unknown type tag is an error naming the tag and the position")
    func unknownType() throws {
        let stored = try Self.recorded(NewEvent(type: EventType("contact.teleported", version: 1), actor: Actor(.user, "u"), source: .cli(command: "c")), position: 99)
        let error = try #require(throws: DomainEventError.self) { try ContactEvent(decoding: stored) }
        #expect(error.code == .unknownType)
        #expect(error.position == 99)
        #expect(error.description.contains("contact.teleported.v1"))
        #expect(error.description.contains("position 99"))
    }

    @Test("an unknown version of a known type is an error naming the version")
    func unknownVersion() throws {
        var new = Self.newEvent(ContactEventSamples.sample(.contactCreated))
        new.type = EventType("contact.created", version: 9)
        let error = try #require(throws: DomainEventError.self) { try ContactEvent(decoding: Self.recorded(new, position: 5)) }
        #expect(error.code == .unknownType)
        #expect(error.description.contains("contact.created.v9"))
        #expect(error.description.contains("position 5"))
    }

    @Test("every truncation of either payload part is an error, never a crash", arguments: ContactEventKind.allCases)
    func truncations(kind: ContactEventKind) throws {
        let event = ContactEventSamples.sample(kind)
        let (data, personal) = event.encodedPayload
        for length in 0..<data.count {
            let error = try #require(throws: DomainEventError.self) {
                try ContactEvent.decode(type: event.type, data: data[..<length], personal: personal[...], position: 3)
            }
            #expect(error.code == .malformedData)
            #expect(error.description.contains("position 3"))
        }
        for length in 0..<personal.count {
            let error = try #require(throws: DomainEventError.self) {
                try ContactEvent.decode(type: event.type, data: data[...], personal: personal[..<length])
            }
            #expect(error.code == .malformedPersonalData)
        }
    }

    @Test("trailing bytes in either part are an error", arguments: ContactEventKind.allCases)
    func trailingBytes(kind: ContactEventKind) throws {
        let event = ContactEventSamples.sample(kind)
        let (data, personal) = event.encodedPayload
        #expect(throws: DomainEventError.self) {
            try ContactEvent.decode(type: event.type, data: (data + [0])[...], personal: personal[...])
        }
        let error = try #require(throws: DomainEventError.self) {
            try ContactEvent.decode(type: event.type, data: data[...], personal: (personal + [0])[...])
        }
        #expect(error.code == .malformedPersonalData)
    }

    @Test("corrupted bytes never crash the decoder", arguments: ContactEventKind.allCases)
    func corruption(kind: ContactEventKind) {
        let event = ContactEventSamples.sample(kind)
        let (data, personal) = event.encodedPayload
        for index in 0..<(data.count + personal.count) {
            for replacement: UInt8 in [0x00, 0x01, 0x02, 0x7F, 0x80, 0xFF] {
                var damagedData = data
                var damagedPersonal = personal
                if index < data.count { damagedData[index] = replacement } else { damagedPersonal[index - data.count] = replacement }
                // Either outcome is fine; reaching the next line is the test.
                _ = try? ContactEvent.decode(type: event.type, data: damagedData[...], personal: damagedPersonal[...])
            }
        }
    }

    @Test("values the writer never produces are refused: non-canonical numbers, bad flags, stream 0")
    func invalidStoredValues() {
        // contact.fields-changed: one custom field "n", old unset, new number "01.50".
        let data: [UInt8] = [1, 0, 1, UInt8(ascii: "n")]
        let personal: [UInt8] = [1, 0, 1, 2, 5] + Array("01.50".utf8)
        #expect(throws: DomainEventError.self) {
            try ContactEvent.decode(type: ContactEventKind.contactFieldsChanged.currentType, data: data[...], personal: personal[...])
        }
        let badFlag: [UInt8] = [1, 0, 1, UInt8(ascii: "n")]
        let badFlagPersonal: [UInt8] = [1, 0, 1, 4, 2]
        #expect(throws: DomainEventError.self) {
            try ContactEvent.decode(type: ContactEventKind.contactFieldsChanged.currentType, data: badFlag[...], personal: badFlagPersonal[...])
        }
        #expect(throws: DomainEventError.self) {
            try ContactEvent.decode(type: ContactEventKind.contactMerged.currentType, data: [0][...], personal: [][...])
        }
    }

    @Test("error messages never contain personal data")
    func errorsHidePersonalData() throws {
        let event = ContactEventSamples.sample(.identifierAdded)
        let (data, personal) = event.encodedPayload
        let error = try #require(throws: DomainEventError.self) {
            try ContactEvent.decode(type: event.type, data: data[...], personal: personal.dropLast(1))
        }
        #expect(!error.description.contains("olena"))
        #expect(!error.description.contains("example.com"))
    }
}

@Suite("Domain events: printing")
struct ContactEventPrintingTests {
    @Test("printing an event shows no personal value", arguments: ContactEventKind.allCases)
    func printingHidesPersonalData(kind: ContactEventKind) {
        let event = ContactEventSamples.sample(kind)
        for text in [String(describing: event), String(reflecting: event), "\(event)"] {
            for secret in ["olena@", "+38044", "203.0.113", "2001:db8", "Mozilla", "Олена", "silver", "1250"] {
                #expect(!text.contains(secret), "\(kind) printed a personal value")
            }
        }
    }
}
