import Foundation
import LedgerDomain
import Testing

/// The outbox family: stored and read back, dispatched by family, refused when malformed, and
/// its canonical JSON held against the committed examples (`LEDGER_WRITE_EXAMPLES=1`).
@Suite("Outbox events")
struct MailEventTests {
    static let samples: [MailEvent] = [
        .queued(MailQueued(contact: StreamID(12), purpose: "doi.confirmation", reference: "tok_01JEXAMPLE", template: "form:spring@3", notBefore: 1_796_000_000_000_000)),
        .sent(MailSent(attempt: 2, messageID: "0193a1b2-c3d4-8e5f-8a6b-7c8d9e0f1a2b@news.example", reply: "250 2.0.0 Ok: queued as 4B1F")),
        .failed(MailFailed(attempt: 1, code: 451, reply: "message: 451 4.3.0 Try again later", permanent: false, nextAttempt: 1_796_000_060_000_000)),
        .dropped(MailDropped(reason: "not-composed")),
        .requeued(MailRequeued(notBefore: 1_796_000_100_000_000)),
    ]

    @Test("each outbox event reads back as itself through the family dispatch", arguments: samples)
    func roundTrip(_ event: MailEvent) throws {
        let stored = try ContactEventTests.recorded(event.newEvent(actor: Actor(.system, "mail-sender"), source: .system(reason: "mail-sender")), position: 9)
        #expect(try LedgerEvent(decoding: stored) == .outbox(event))
        #expect(try LedgerEvent(decoding: stored, personalData: nil) == .outbox(event))
        #expect(try LedgerEvent(decoding: stored).family == .outbox)
        #expect(stored.personalData.isEmpty, "outbox events carry no personal data")
    }

    @Test("a permanent failure has no next attempt, whatever the caller passes")
    func permanentHasNoNextAttempt() throws {
        let failed = MailFailed(attempt: 3, code: 550, reply: "rcpt-to: 550 5.1.1 [address]: unknown user", permanent: true, nextAttempt: 5)
        #expect(failed.nextAttempt == nil)
        let stored = try ContactEventTests.recorded(MailEvent.failed(failed).newEvent(actor: Actor(.system, "s"), source: .system(reason: "s")))
        #expect(try LedgerEvent(decoding: stored) == .outbox(.failed(failed)))
    }

    @Test("a malformed or unknown outbox event is an error naming its position, never skipped")
    func malformed() throws {
        var truncated = Self.samples[0].newEvent(actor: Actor(.user, "u"), source: .cli(command: "c"))
        truncated.data = Array(truncated.data.dropLast(2))
        let error = try #require(throws: DomainEventError.self) { try LedgerEvent(decoding: try ContactEventTests.recorded(truncated, position: 5)) }
        #expect(error.position == 5)
        #expect(error.code == .malformedData)
        var badFlag = Self.samples[2].newEvent(actor: Actor(.user, "u"), source: .cli(command: "c"))
        badFlag.data[badFlag.data.count - 9] = 7
        #expect(throws: DomainEventError.self) { try LedgerEvent(decoding: try ContactEventTests.recorded(badFlag, position: 6)) }
        let unknown = NewEvent(type: EventType("mail.bounced", version: 1), actor: Actor(.user, "u"), source: .cli(command: "c"))
        let unknownError = try #require(throws: DomainEventError.self) { try LedgerEvent(decoding: try ContactEventTests.recorded(unknown, position: 8)) }
        #expect(unknownError.code == .unknownType)
        #expect(EventFamily(typeName: "mail.queued") == .outbox)
    }

    @Test("each outbox event's canonical JSON equals its committed example")
    func examples() throws {
        for event in Self.samples {
            try CanonicalJSONTests.check(event.jsonPayload, against: "events/\(event.type).json")
        }
    }
}
