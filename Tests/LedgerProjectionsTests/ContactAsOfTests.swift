import LedgerDomain
import LedgerProjections
import Testing

@Suite("Contact as of a past time")
struct ContactAsOfTests {
    static let history: [ContactEvent] = [
        Events.created(.form),                          // t0
        Events.added(.email, "a@example.com"),          // t1
        Events.granted(.formSingleOptIn),               // t2
        Events.requested("t1"),                         // t3
        Events.confirmed("t1"),                         // t4
        Events.added(.email, "b@example.com"),          // t5
        Events.withdrawn(),                             // t6
        .contactErased(ContactErased(reason: "gdpr-request")),  // t7
    ]

    static func stored(sealed: Bool = false) throws -> [RecordedEvent] {
        try history.enumerated().map { index, event in
            try recorded(event, position: UInt64(index + 1), recordedAt: meta(index).recordedAt, sealed: sealed)
        }
    }

    static func time(_ index: Int) -> Int64 { meta(index).recordedAt }

    @Test("before the first event there is no contact")
    func beforeCreation() throws {
        #expect(try ContactAsOf.state(events: Self.stored(), at: Self.time(0) - 1) == nil)
        #expect(try ContactAsOf.state(events: [], at: nil) == nil)
    }

    @Test("each moment sees the events recorded at or before it")
    func moments() throws {
        let events = try Self.stored()
        for index in Self.history.indices {
            let expected = fold(Array(Self.history[...index]))
            #expect(try ContactAsOf.state(events: events, at: Self.time(index)) == expected, "at t\(index)")
            #expect(try ContactAsOf.state(events: events, at: Self.time(index) + 999_999) == expected, "just before t\(index + 1)")
        }
        #expect(try ContactAsOf.state(events: events, at: nil) == fold(Self.history))
    }

    @Test("consent and identifiers as they stood")
    func consentHistory() throws {
        let events = try Self.stored()
        let scope = Events.newsletter
        #expect(try ContactAsOf.state(events: events, at: Self.time(2))?.consent(scope)?.status == .subscribedUnconfirmed)
        #expect(try ContactAsOf.state(events: events, at: Self.time(3))?.consent(scope)?.pending?.tokenID == "t1")
        #expect(try ContactAsOf.state(events: events, at: Self.time(4))?.consent(scope)?.status == .confirmed)
        #expect(try ContactAsOf.state(events: events, at: Self.time(4))?.email == "a@example.com")
        #expect(try ContactAsOf.state(events: events, at: Self.time(5))?.email == "b@example.com")
        #expect(try ContactAsOf.state(events: events, at: Self.time(6))?.consent(scope)?.status == .unsubscribed)
        #expect(try ContactAsOf.state(events: events, at: Self.time(7))?.erased == true)
    }

    @Test("the order events are passed in does not matter")
    func order() throws {
        let events = try Self.stored()
        #expect(try ContactAsOf.state(events: events.reversed(), at: Self.time(5)) == ContactAsOf.state(events: events, at: Self.time(5)))
    }

    @Test("without the key, personal values read as absent and the rest of the history stays")
    func sealed() throws {
        let state = try #require(try ContactAsOf.state(events: Self.stored(sealed: true), at: Self.time(4)))
        #expect(state.emails.isEmpty)
        #expect(state.consent(Events.newsletter)?.status == .confirmed)
        #expect(state.channel == .form)
    }

    @Test("an event that does not decode is an error")
    func undecodable() throws {
        var new = Events.created().newEvent(actor: Actor(.system, "tests"), source: .system(reason: "tests"))
        new.data = [99]
        var writer = BinaryWriter()
        EventRecord.encodeBody(new, stream: contactStream, version: 1, recordedAt: baseTime, into: &writer)
        writer.writeRaw([UInt8](repeating: 0, count: EventRecord.hashLength))
        let bad = try writer.bytes.withUnsafeBytes { try RecordedEvent(position: 1, record: $0) }
        #expect(throws: DomainEventError.self) { try ContactAsOf.state(events: [bad], at: nil) }
    }
}
