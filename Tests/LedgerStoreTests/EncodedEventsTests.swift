import LedgerDomain
@testable import LedgerStore
import Testing

/// Events encoded straight from their `ContactEvent`, payload sealed into the body, held to the
/// `NewEvent` path: the same bytes but for the seal's randomness, and the seal opens to the
/// same personal data.
@Suite("Encoded events")
struct EncodedEventsTests {
    static let events: [ContactEvent] = [
        .contactCreated(ContactCreated(channel: .import)),
        .identifierAdded(IdentifierChange(kind: .email, value: "olena@example.com")),
        .identifierAdded(IdentifierChange(kind: .phone, value: "+380671234567")),
        .contactFieldsChanged(ContactFieldsChanged(changes: [
            FieldChange(field: .standard(.firstName), from: nil, to: .text("Олена")),
            FieldChange(field: .standard(.birthDate), from: nil, to: .date(CalendarDate(year: 1984, month: 12, day: 28) ?? .earliest)),
            // Long enough that the personal part's length takes two varint bytes.
            FieldChange(field: .custom("notes"), from: .text("old"), to: .text(String(repeating: "ї", count: 150))),
            FieldChange(field: .custom("score"), from: nil, to: DecimalNumber("12.5").map { .number($0) }),
        ])),
        .segmentMemberAdded(SegmentMembership(segment: "spring")),
    ]

    @Test("appending a ContactEvent sealed in place gives what appending its sealed NewEvent gives")
    func sameAsNewEvent() throws {
        let key = DataKey.random()
        let cipher = PayloadCipher()
        let actor = Actor(.user, "importer")
        let source = Source.file(name: "base.csv", sha256: .zero, row: 300)
        var viaNewEvent = EncodedEvents()
        var direct = EncodedEvents()
        var scratch = EncodingScratch()
        var plains: [[UInt8]] = []
        var ids: [EventID] = []
        for (index, event) in Self.events.enumerated() {
            let id = EventID.derived(namespace: 7, sequence: UInt64(index))
            ids.append(id)
            var new = event.newEvent(id: id, actor: actor, source: source)
            plains.append(new.personalData)
            if !new.personalData.isEmpty {
                new.personalData = try key.seal(new.personalData, for: id, with: cipher)
                new.personalDataSealed = true
            }
            viaNewEvent.append(new)
            try direct.append(event, id: id, actor: actor, source: source, sealingWith: key, cipher: cipher, scratch: &scratch)
        }
        #expect(direct.ends == viaNewEvent.ends)
        var start = 0
        for (index, end) in direct.ends.enumerated() {
            // The sealed personal part ends the body; everything before it is the same.
            let sealedCount = plains[index].isEmpty ? 0 : plains[index].count + DataKey.sealingOverhead
            #expect(direct.bytes[start..<(end - sealedCount)] == viaNewEvent.bytes[start..<(end - sealedCount)], "event \(index)")
            if sealedCount > 0 {
                #expect(try key.open(direct.bytes[(end - sealedCount)..<end], for: ids[index]) == plains[index])
            }
            start = end
        }
    }

    @Test("appending a TokenEvent sealed in place gives what appending its sealed NewEvent gives, causation included")
    func tokenEventSameAsNewEvent() throws {
        let key = DataKey.random()
        let cipher = PayloadCipher()
        let actor = Actor(.user, "importer")
        let source = Source.file(name: "tokens.csv", sha256: .zero, row: 12)
        let secret = TokenSecret(endpoint: "https://fcm.googleapis.com/fcm/send/abc:APA91b" + String(repeating: "x", count: 120), p256dh: "BNOWnzE8", auth: "c2VjcmV0")
        let subscription = TokenSubscription(kind: .web, origin: "https://shop.example", pushService: "fcm", expiresAt: 1_700_000_000_000_000, problems: ["auth-wrong-length"], secret: .known(secret))
        let migrated = TokenEvent.migrated(TokenMigrated(provider: "onesignal", batch: .zero, row: 12, subscription: subscription))
        let events: [(TokenEvent, EventID?)] = [
            (migrated, nil),
            (.linked(TokenLink(contact: StreamID(42), channel: "webpush")), EventID(high: 9, low: 0)),
        ]
        var viaNewEvent = EncodedEvents()
        var direct = EncodedEvents()
        var scratch = EncodingScratch()
        var plains: [[UInt8]] = []
        var ids: [EventID] = []
        for (index, (event, causation)) in events.enumerated() {
            let id = EventID(high: 9, low: UInt64(index))
            ids.append(id)
            var new = event.newEvent(id: id, actor: actor, source: source, causation: causation)
            plains.append(new.personalData)
            if !new.personalData.isEmpty {
                new.personalData = try key.seal(new.personalData, for: id, with: cipher)
                new.personalDataSealed = true
            }
            viaNewEvent.append(new)
            try direct.append(event, id: id, actor: actor, source: source, causation: causation, sealingWith: key, cipher: cipher, scratch: &scratch)
        }
        #expect(!plains[0].isEmpty)
        #expect(direct.ends == viaNewEvent.ends)
        var start = 0
        for (index, end) in direct.ends.enumerated() {
            let sealedCount = plains[index].isEmpty ? 0 : plains[index].count + DataKey.sealingOverhead
            #expect(direct.bytes[start..<(end - sealedCount)] == viaNewEvent.bytes[start..<(end - sealedCount)], "event \(index)")
            if sealedCount > 0 {
                #expect(try key.open(direct.bytes[(end - sealedCount)..<end], for: ids[index]) == plains[index])
            }
            start = end
        }
    }

    @Test("scratch buffers are reused: a second round encodes the same")
    func reusedScratch() throws {
        let key = DataKey.random()
        let cipher = PayloadCipher()
        var scratch = EncodingScratch()
        var first = EncodedEvents()
        var second = EncodedEvents()
        for round in 0..<2 {
            for (index, event) in Self.events.reversed().enumerated() {
                let id = EventID(high: 1, low: UInt64(index))
                if round == 0 {
                    try first.append(event, id: id, actor: Actor(.user, "a"), source: .cli(command: "x"), sealingWith: key, cipher: cipher, scratch: &scratch)
                } else {
                    try second.append(event, id: id, actor: Actor(.user, "a"), source: .cli(command: "x"), sealingWith: key, cipher: cipher, scratch: &scratch)
                }
            }
        }
        #expect(first.ends == second.ends)
    }
}
