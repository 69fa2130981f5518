import LedgerDomain
import LedgerProjections
import Testing

@Suite("Contact history and consent trail")
struct ContactHistoryTests {
    /// Stores `event` with its own actor, as `recorded` does with the tests' system actor.
    static func stored(_ event: ContactEvent, _ index: Int, actor: Actor, sealed: Bool = false) throws -> RecordedEvent {
        var new = event.newEvent(actor: actor, source: .api(key: actor.name, requestID: "r\(index)"))
        if sealed {
            new.personalData = new.personalData.map { $0 ^ 0x5A }
            new.personalDataSealed = true
        }
        var writer = BinaryWriter()
        EventRecord.encodeBody(new, stream: contactStream, version: UInt64(index + 1), recordedAt: meta(index).recordedAt, into: &writer)
        writer.writeRaw([UInt8](repeating: 0xAB, count: EventRecord.hashLength))
        return try writer.bytes.withUnsafeBytes { try RecordedEvent(position: UInt64(index + 1), record: $0) }
    }

    static let crm = Actor(.apiKey, "crm")
    static let olha = Actor(.user, "olha")

    static func events(sealed: Bool = false) throws -> [RecordedEvent] {
        let history: [(ContactEvent, Actor)] = [
            (Events.created(.api), crm),
            (Events.added(.email, "a@example.com"), crm),
            (.contactFieldsChanged(ContactFieldsChanged(changes: [
                FieldChange(field: .standard(.firstName), from: nil, to: .text("Olena")),
                FieldChange(field: .custom("score"), from: nil, to: Events.number("3")),
            ])), crm),
            (Events.requested("tok-9"), olha),
            (.contactFieldsChanged(ContactFieldsChanged(changes: [FieldChange(field: .standard(.firstName), from: .text("Olena"), to: .text("Ol\"ha\n"))])), olha),
            (Events.removed(.email, "a@example.com"), olha),
            (.segmentMemberAdded(SegmentMembership(segment: "vip")), olha),
        ]
        // Handed over in reverse: the history must put them in log order itself.
        return try history.enumerated().reversed().map { try stored($0.element.0, $0.offset, actor: $0.element.1, sealed: sealed) }
    }

    @Test("every event becomes an entry in log order, fields with old → new, the rest in words")
    func entries() throws {
        let entries = try ContactHistory.entries(Self.events())
        #expect(entries.map(\.position) == Array(1...7))
        #expect(entries.map { $0.changes.map(\.summary) } == [
            ["created via api"],
            [#"email: added "a@example.com""#],
            [#"firstName: (unset) → "Olena""#, "score: (unset) → 3"],
            ["consent email/newsletter: confirmation requested by double-opt-in, wording w2, token tok-9"],
            [#"firstName: "Olena" → "Ol\"ha\n""#],
            [#"email: removed "a@example.com""#],
            ["segment vip: joined"],
        ])
        #expect(entries[2].actor == Self.crm)
        #expect(entries[2].source == .api(key: "crm", requestID: "r2"))
        #expect(entries[2].changes[1].new == .value(Events.number("3")))
        #expect(entries[2].changes[1].new?.json == .number(3))
        #expect(entries[5].changes[0].old == .value(.text("a@example.com")) && entries[5].changes[0].new == .unset)
    }

    @Test("filters: a field keeps only its changes; times are inclusive; actors by kind:name or bare name")
    func filters() throws {
        let events = try Self.events()
        let firstName = try ContactHistory.entries(events, matching: HistoryFilter(field: "firstName"))
        #expect(firstName.map(\.position) == [3, 5])
        #expect(firstName.allSatisfy { $0.changes.count == 1 })
        #expect(try ContactHistory.entries(events, matching: HistoryFilter(field: "email")).map(\.position) == [2, 6])
        #expect(try ContactHistory.entries(events, matching: HistoryFilter(since: meta(2).recordedAt, until: meta(3).recordedAt)).map(\.position) == [3, 4])
        #expect(try ContactHistory.entries(events, matching: HistoryFilter(actor: ActorPattern(parsing: "olha"))).map(\.position) == [4, 5, 6, 7])
        #expect(try ContactHistory.entries(events, matching: HistoryFilter(actor: ActorPattern(parsing: "api-key:olha"))).isEmpty)
        #expect(ActorPattern(parsing: "api-key:crm").matches(Self.crm))
        #expect(ActorPattern(parsing: "crm").matches(Actor(.system, "crm")))
        #expect(ActorPattern(parsing: "team:crm").name == "team:crm", "an unknown kind is part of a bare name")
    }

    @Test("sealed personal data reads [erased] on both sides; non-personal facts stay readable")
    func sealed() throws {
        let entries = try ContactHistory.entries(Self.events(sealed: true))
        #expect(entries[1].changes[0].summary == "email: added [erased]")
        #expect(entries[2].changes.map(\.summary) == ["firstName: [erased] → [erased]", "score: [erased] → [erased]"])
        #expect(entries[2].changes[0].new?.json == .string("[erased]"))
        #expect(entries[6].changes[0].summary == "segment vip: joined")
    }

    @Test("the consent trail keeps consent events only, with tokens, reasons and evidence")
    func consentTrail() throws {
        let evidence = ConsentEvidence(ipAddress: "192.0.2.1", userAgent: "curl/8")
        let history: [ContactEvent] = [
            Events.created(),
            Events.granted(.formSingleOptIn, evidence: .known(evidence)),
            Events.requested("t1"),
            Events.confirmed("t1"),
            Events.withdrawn(),
        ]
        let plain = try history.enumerated().map { try Self.stored($0.element, $0.offset, actor: Self.olha) }
        let trail = try ConsentTrail.entries(plain)
        #expect(trail.map(\.action) == [.granted, .confirmationRequested, .confirmed, .withdrawn])
        #expect(trail[0].ipAddressText == "192.0.2.1" && trail[0].userAgentText == "curl/8")
        #expect(trail[1].ipAddressText == nil)
        #expect(trail[2].tokenID == "t1")
        #expect(trail[3].reason == "too-frequent")
        #expect(try ConsentTrail.entries(plain, until: meta(2).recordedAt).count == 2)
        let sealed = try history.enumerated().map { try Self.stored($0.element, $0.offset, actor: Self.olha, sealed: true) }
        let sealedTrail = try ConsentTrail.entries(sealed)
        #expect(sealedTrail.allSatisfy { $0.ipAddressText == "[erased]" && $0.userAgentText == "[erased]" })
        #expect(sealedTrail[0].document.ipAddress == "[erased]")
    }
}
