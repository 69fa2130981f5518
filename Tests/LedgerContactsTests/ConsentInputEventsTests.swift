@testable import LedgerContacts
import LedgerDomain
import LedgerProjections
import Testing

/// How a request's consent becomes events against the contact's current consent (issue 20):
/// the stated default, never lowering, never re-subscribing a withdrawal without a later time.
@Suite("Consent of an imported row")
struct ConsentInputEventsTests {
    static let email = ConsentScope(channel: .email, purpose: "marketing")
    static let both = ContactIdentifiers(email: "olena@example.com", phone: "+380671234567")
    static let march2023: Int64 = 1_678_785_165_000_000
    static let sept2024: Int64 = 1_725_263_100_000_000

    /// A contact with an e-mail whose consent events were `events`, recorded at `recordedAt`.
    static func contact(_ events: [ContactEvent], recordedAt: Int64 = 1_760_000_000_000_000) -> ContactState? {
        var state: ContactState?
        let all: [ContactEvent] = [.contactCreated(ContactCreated(channel: .api)), .identifierAdded(IdentifierChange(kind: .email, value: "olena@example.com"))] + events
        for (index, event) in all.enumerated() {
            ContactState.fold(into: &state, event, meta: EventMeta(position: UInt64(index + 1), stream: StreamID(1), recordedAt: recordedAt))
        }
        return state
    }

    static func events(_ consent: ConsentInput, identifiers: ContactIdentifiers = both, state: ContactState? = nil) -> [ContactEvent] {
        var events = [ContactEvent]()
        consent.appendEvents(identifiers: identifiers, state: state, to: &events)
        return events
    }

    /// Each event as `channel action status @time ip`, to compare at a glance.
    static func shapes(_ events: [ContactEvent]) -> [String] {
        events.map { event in
            switch event {
            case .consentGranted(let granted):
                "\(granted.scope.channel.label) granted \(granted.status.label) @\(granted.occurredAt.map(String.init) ?? "-") \(granted.evidence.value?.ipAddress ?? "-") \(granted.method.label)"
            case .consentWithdrawn(let withdrawn):
                "\(withdrawn.scope.channel.label) withdrawn @\(withdrawn.occurredAt.map(String.init) ?? "-") \(withdrawn.reason ?? "-") \(withdrawn.method.label)"
            default:
                "other"
            }
        }
    }

    @Test("the stated default, on every channel the row carries, when the row states nothing")
    func statedDefault() {
        #expect(Self.shapes(Self.events(ConsentInput(stated: .confirmed, purpose: "marketing"))) == [
            "email granted confirmed @- - import", "sms granted confirmed @- - import",
        ])
        #expect(Self.shapes(Self.events(ConsentInput(stated: .subscribed, purpose: "marketing"), identifiers: ContactIdentifiers(phone: "+380671234567"))) == [
            "sms granted subscribed @- - import",
        ])
        #expect(Self.events(ConsentInput(stated: nil, purpose: "marketing")).isEmpty)
        // A row that states its own consent does not take the default.
        var own = ConsentInput(stated: .confirmed, purpose: "marketing")
        own.optInAt = Self.march2023
        #expect(Self.shapes(Self.events(own, identifiers: ContactIdentifiers(email: "olena@example.com"))) == ["email granted subscribed @\(Self.march2023) - import"])
        // Times without a status are the e-mail channel's (an e-mail platform's export): the
        // phone's channel takes the default; a status for the row covers both.
        #expect(Self.shapes(Self.events(own)) == ["email granted subscribed @\(Self.march2023) - import", "sms granted confirmed @- - import"])
        own.all = .subscribed
        #expect(Self.shapes(Self.events(own)) == ["email granted subscribed @\(Self.march2023) - import", "sms granted subscribed @\(Self.march2023) - import"])
        var smsOnly = ConsentInput(stated: nil, purpose: "marketing")
        smsOnly.sms = .unsubscribed
        #expect(Self.shapes(Self.events(smsOnly)) == ["sms withdrawn @- - import"])
    }

    @Test("never lowers a consent; raises subscribed to confirmed")
    func neverLowers() {
        let confirmed = Self.contact([.consentGranted(ConsentGranted(scope: Self.email, method: .api, status: .confirmed, wordingVersion: nil))])
        let email = ContactIdentifiers(email: "olena@example.com")
        #expect(Self.events(ConsentInput(stated: .subscribed, purpose: "marketing"), identifiers: email, state: confirmed).isEmpty)
        #expect(Self.events(ConsentInput(stated: .confirmed, purpose: "marketing"), identifiers: email, state: confirmed).isEmpty)
        let subscribed = Self.contact([.consentGranted(ConsentGranted(scope: Self.email, method: .formSingleOptIn, status: .subscribed, wordingVersion: nil))])
        #expect(Self.events(ConsentInput(stated: .subscribed, purpose: "marketing"), identifiers: email, state: subscribed).isEmpty)
        #expect(Self.shapes(Self.events(ConsentInput(stated: .confirmed, purpose: "marketing"), identifiers: email, state: subscribed)) == ["email granted confirmed @- - import"])
    }

    @Test("never re-subscribes a withdrawal unless the row says so with a later time")
    func neverResubscribes() {
        let recorded: Int64 = 1_700_000_000_000_000
        let withdrawn = Self.contact([.consentWithdrawn(ConsentWithdrawn(scope: Self.email, method: .operator, wordingVersion: nil, reason: nil))], recordedAt: recorded)
        let email = ContactIdentifiers(email: "olena@example.com")
        #expect(Self.events(ConsentInput(stated: .confirmed, purpose: "marketing"), identifiers: email, state: withdrawn).isEmpty)
        var earlier = ConsentInput(stated: .confirmed, purpose: "marketing")
        earlier.email = .subscribed
        earlier.optInAt = recorded - 1
        #expect(Self.events(earlier, identifiers: email, state: withdrawn).isEmpty)
        var untimed = ConsentInput(stated: .confirmed, purpose: "marketing")
        untimed.email = .confirmed
        #expect(Self.events(untimed, identifiers: email, state: withdrawn).isEmpty)
        var later = earlier
        later.optInAt = recorded + 1
        #expect(Self.shapes(Self.events(later, identifiers: email, state: withdrawn)) == ["email granted subscribed @\(recorded + 1) - import"])
    }

    @Test("a withdrawal is recorded unless the scope is withdrawn already or agreed to since")
    func withdrawals() {
        let email = ContactIdentifiers(email: "olena@example.com")
        let granted = Self.contact([.consentGranted(ConsentGranted(scope: Self.email, method: .import, status: .confirmed, wordingVersion: nil, occurredAt: Self.march2023))])
        var unsubscribed = ConsentInput(stated: nil, purpose: "marketing")
        unsubscribed.unsubscribedAt = Self.sept2024
        unsubscribed.unsubscribeReason = "NORMAL"
        #expect(Self.shapes(Self.events(unsubscribed, identifiers: email, state: granted)) == ["email withdrawn @\(Self.sept2024) NORMAL import"])
        var older = unsubscribed
        older.unsubscribedAt = Self.march2023 - 1
        #expect(Self.events(older, identifiers: email, state: granted).isEmpty)
        var cleaned = ConsentInput(stated: nil, purpose: "marketing")
        cleaned.cleanedAt = Self.sept2024
        #expect(Self.shapes(Self.events(cleaned, identifiers: email, state: nil)) == ["email withdrawn @\(Self.sept2024) cleaned import"])
    }

    @Test("a Mailchimp row: opt-in, confirmation and withdrawal in the order they happened, with their IPs")
    func mailchimpRow() {
        var row = ConsentInput(stated: .confirmed, purpose: "marketing")
        row.optInAt = Self.march2023
        row.optInIP = "198.51.100.7"
        row.confirmedAt = Self.march2023 + 437_000_000
        row.confirmIP = "203.0.113.9"
        row.unsubscribedAt = Self.sept2024
        #expect(Self.shapes(Self.events(row, identifiers: ContactIdentifiers(email: "olena@example.com"))) == [
            "email granted subscribed @\(Self.march2023) 198.51.100.7 import",
            "email granted confirmed @\(Self.march2023 + 437_000_000) 203.0.113.9 import",
            "email withdrawn @\(Self.sept2024) - import",
        ])
        #expect(row.problem == nil)
        var contradicted = row
        contradicted.email = .subscribed
        #expect(contradicted.problem == "the email status is subscribed, but the row has an unsubscribe or clean time")
        var backwards = row
        backwards.confirmedAt = Self.march2023 - 1
        #expect(backwards.problem == "the confirmation time is before the opt-in time")
    }

    @Test("the tally counts what each channel was left in")
    func tally() {
        var row = ConsentInput(stated: .confirmed, purpose: "marketing")
        row.optInAt = Self.march2023
        row.confirmedAt = Self.march2023 + 1
        var tally = ConsentTally()
        tally.add(ConsentTally.Row(Self.events(row)))
        tally.add(ConsentTally.Row(Self.events(ConsentInput(stated: .subscribed, purpose: "marketing"), identifiers: ContactIdentifiers(email: "a@example.com"))))
        #expect(tally.count(.email, .confirmed) == 1)
        #expect(tally.count(.sms, .confirmed) == 1)
        #expect(tally.count(.email, .subscribed) == 1)
        #expect(tally.count(.email, .unsubscribed) == 0)
    }
}
