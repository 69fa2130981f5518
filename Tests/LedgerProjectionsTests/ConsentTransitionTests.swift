import LedgerDomain
import LedgerProjections
import Testing

@Suite("Consent transitions")
struct ConsentTransitionTests {
    /// A scope's status before the event under test, and events that put it there.
    enum Before: String, CaseIterable, CustomTestStringConvertible {
        case none, unsubscribed, subscribedUnconfirmed, confirmed

        var events: [ContactEvent] {
            switch self {
            case .none: [Events.created()]
            case .unsubscribed: [Events.created(), Events.withdrawn()]
            case .subscribedUnconfirmed: [Events.created(), Events.granted(.formSingleOptIn)]
            case .confirmed: [Events.created(), Events.granted(.api)]
            }
        }

        var testDescription: String { rawValue }
    }

    /// The event under test.
    enum Step: String, CaseIterable, CustomTestStringConvertible {
        case grantImport, grantAPI, grantSingleOptIn, grantDoubleOptIn, grantUnsubscribeLink
        case grantOperatorSubscribed, grantOperatorConfirmed, grantAPISubscribed, request, confirm, withdraw

        var event: ContactEvent {
            switch self {
            case .grantImport: Events.granted(.import)
            case .grantAPI: Events.granted(.api)
            case .grantSingleOptIn: Events.granted(.formSingleOptIn)
            case .grantDoubleOptIn: Events.granted(.doubleOptIn)
            case .grantUnsubscribeLink: Events.granted(.unsubscribeLink)
            // v2 grants state their status, whatever the method.
            case .grantOperatorSubscribed: Events.granted(.operator, status: .subscribed)
            case .grantOperatorConfirmed: Events.granted(.operator, status: .confirmed)
            case .grantAPISubscribed: Events.granted(.api, status: .subscribed)
            case .request: Events.requested("t9")
            case .confirm: Events.confirmed("t9")
            case .withdraw: Events.withdrawn()
            }
        }

        var testDescription: String { rawValue }
    }

    /// The table documented on `ConsentStatus`, row by row.
    static func expected(_ before: Before, _ step: Step) -> ConsentStatus {
        switch (before, step) {
        case (_, .grantAPI), (_, .grantDoubleOptIn), (_, .grantOperatorConfirmed), (_, .confirm): .confirmed
        case (_, .withdraw): .unsubscribed
        case (.confirmed, _): .confirmed
        case (.none, _), (.unsubscribed, _), (.subscribedUnconfirmed, _): .subscribedUnconfirmed
        }
    }

    @Test("status after each event from each status", arguments: Before.allCases, Step.allCases)
    func transition(before: Before, step: Step) throws {
        let prior = fold(before.events)
        let state = try #require(fold([step.event], from: prior, offset: before.events.count))
        let record = try #require(state.consent(Events.newsletter))
        let expected = Self.expected(before, step)
        #expect(record.status == expected)

        let previous = prior?.consent(Events.newsletter)
        let time = meta(before.events.count)
        if let previous, previous.status == expected {
            // An event that leaves the status leaves the record describing its setter.
            #expect(record.since == previous.since)
            #expect(record.method == previous.method)
            #expect(record.position == previous.position)
        } else {
            #expect(record.since == time.recordedAt)
            #expect(record.position == time.position)
        }
        #expect((record.pending?.tokenID == "t9") == (step == .request))
    }

    @Test("the record keeps the setter's method, wording and evidence")
    func recordDetails() throws {
        let evidence = ConsentEvidence(ipAddress: "203.0.113.7", userAgent: "Firefox/140.0")
        let state = try #require(fold([Events.granted(.formSingleOptIn, evidence: .known(evidence))]))
        let record = try #require(state.consent(Events.newsletter))
        #expect(record == ConsentRecord(
            status: .subscribedUnconfirmed, since: baseTime, method: .formSingleOptIn, wordingVersion: "w1",
            position: 1, evidence: evidence, pending: nil))
    }

    @Test("erased or empty evidence is kept as none")
    func evidenceAbsent() throws {
        let erased = try #require(fold([Events.granted(.api, evidence: .erased)]))
        #expect(erased.consent(Events.newsletter)?.evidence == nil)
        let empty = try #require(fold([Events.granted(.api, evidence: .known(.none))]))
        #expect(empty.consent(Events.newsletter)?.evidence == nil)
    }

    @Test("double opt-in: request, then confirm the same token")
    func doubleOptIn() throws {
        let requested = try #require(fold([Events.created(.form), Events.granted(.formSingleOptIn), Events.requested("t1")]))
        let pending = try #require(requested.consent(Events.newsletter))
        #expect(pending.status == .subscribedUnconfirmed)
        #expect(pending.method == .formSingleOptIn)
        #expect(pending.pending == PendingConfirmation(tokenID: "t1", requestedAt: baseTime + 2_000_000))

        let confirmed = try #require(fold([Events.confirmed("t1")], from: requested, offset: 3))
        let record = try #require(confirmed.consent(Events.newsletter))
        #expect(record.status == .confirmed)
        #expect(record.method == .doubleOptIn)
        #expect(record.wordingVersion == "w2")
        #expect(record.since == baseTime + 3_000_000)
        #expect(record.position == 4)
        #expect(record.pending == nil)
    }

    @Test("confirming an older token leaves a newer request pending")
    func olderToken() throws {
        let state = try #require(fold([Events.requested("t1"), Events.requested("t2"), Events.confirmed("t1")]))
        let record = try #require(state.consent(Events.newsletter))
        #expect(record.status == .confirmed)
        #expect(record.pending?.tokenID == "t2")
    }

    @Test("a withdrawal clears a pending confirmation; a confirming grant settles it")
    func pendingCleared() throws {
        let withdrawn = try #require(fold([Events.requested("t1"), Events.withdrawn()]))
        #expect(withdrawn.consent(Events.newsletter)?.pending == nil)
        let granted = try #require(fold([Events.requested("t1"), Events.granted(.api)]))
        #expect(granted.consent(Events.newsletter)?.pending == nil)
        let imported = try #require(fold([Events.requested("t1"), Events.granted(.import)]))
        #expect(imported.consent(Events.newsletter)?.pending?.tokenID == "t1")
    }

    @Test("scopes are independent per channel and purpose")
    func scopes() throws {
        let offers = ConsentScope(channel: .email, purpose: "offers")
        let sms = ConsentScope(channel: .sms, purpose: "newsletter")
        let state = try #require(fold([Events.granted(.api), Events.granted(.import, offers), Events.withdrawn(sms)]))
        #expect(state.consent(Events.newsletter)?.status == .confirmed)
        #expect(state.consent(offers)?.status == .subscribedUnconfirmed)
        #expect(state.consent(sms)?.status == .unsubscribed)
        #expect(state.consent(ConsentScope(channel: .webpush, purpose: "newsletter")) == nil)
    }
}
