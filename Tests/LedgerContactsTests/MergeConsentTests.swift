import Foundation
@testable import LedgerContacts
import LedgerDomain
import LedgerProjections
import LedgerStore
import Testing

/// A merge hands the survivor the absorbed contact's consents by the rule in `ConsentMerge`,
/// with the merge event as their causation (decision 0005).
@Suite("Merges carry consent", .serialized)
struct MergeConsentTests {
    static let email = ConsentScope(channel: .email, purpose: "news")
    static let sms = ConsentScope(channel: .sms, purpose: "offers")
    static let push = ConsentScope(channel: .webpush, purpose: "news")

    /// Two contacts, a survivor and one to absorb.
    /// Two contacts that both have an e-mail and a phone, so consent can be given on email and sms.
    static func pair(_ fixture: Fixture) throws -> (kept: StreamID, gone: StreamID) {
        let kept = try fixture.upsert(ContactInput(email: "kept@example.com", phone: "+380671112233")).contact
        let gone = try fixture.upsert(ContactInput(email: "gone@example.com", phone: "+380501112233")).contact
        return (kept, gone)
    }

    func set(_ fixture: Fixture, _ id: StreamID, _ scope: ConsentScope, _ change: ConsentChange, evidence: ConsentEvidence = .none) throws {
        fixture.advance(seconds: 10)
        try fixture.book.setConsent(id, scope: scope, change: change, evidence: evidence, actor: fixture.actor, source: .cli(command: "test"))
    }

    @Test("a consent only the absorbed contact had is carried with its method and evidence, caused by the merge")
    func carriedWithCausation() throws {
        let fixture = try Fixture()
        let (kept, gone) = try Self.pair(fixture)
        try set(fixture, gone, Self.email, .grant(.confirmed, method: .doubleOptIn), evidence: ConsentEvidence(ipAddress: "203.0.113.9"))
        fixture.advance(seconds: 10)
        try fixture.book.merge(survivor: kept, absorbed: gone, actor: fixture.actor, source: .cli(command: "merge"))

        let record = try #require(try fixture.book.contact(kept)?.consent(Self.email))
        #expect(record.status == .confirmed)
        #expect(record.method == .doubleOptIn)
        #expect(record.evidence?.ipAddress == "203.0.113.9")

        let events = try fixture.ledger.readStream(kept)
        let merged = try #require(events.first { $0.type.name == "contact.merged" })
        let carried = try #require(events.first { $0.type.name == "consent.granted" })
        #expect(carried.causationID == merged.id)
        #expect(carried.correlationID == merged.correlationID)
        #expect(merged.causationID == nil)
        // The absorbed stream's events share the merge's correlation.
        let away = try #require(try fixture.ledger.readStream(gone).last)
        #expect(away.type.name == "contact.merged-away")
        #expect(away.correlationID == merged.correlationID)
        // Everything the survivor took over was caused by the merge.
        for event in events where event.position > merged.position {
            #expect(event.causationID == merged.id, "\(event.type) at \(event.position)")
        }
        #expect(try fixture.ledger.verify().isValid)
    }

    @Test("the stronger consent wins; on a tie the survivor keeps its own")
    func strongerWins() throws {
        let fixture = try Fixture()
        let (kept, gone) = try Self.pair(fixture)
        try set(fixture, kept, Self.email, .grant(.subscribed, method: .formSingleOptIn))
        try set(fixture, kept, Self.sms, .grant(.confirmed, method: .api))
        try set(fixture, kept, Self.push, .grant(.subscribed, method: .import))
        try set(fixture, gone, Self.email, .grant(.confirmed, method: .api))
        try set(fixture, gone, Self.sms, .grant(.subscribed, method: .import))
        try set(fixture, gone, Self.push, .grant(.subscribed, method: .formSingleOptIn))
        try fixture.book.merge(survivor: kept, absorbed: gone, actor: fixture.actor, source: .cli(command: "merge"))
        let state = try #require(try fixture.book.contact(kept))
        #expect(state.consent(Self.email)?.status == .confirmed)
        #expect(state.consent(Self.email)?.method == .api)
        #expect(state.consent(Self.sms)?.status == .confirmed)
        #expect(state.consent(Self.sms)?.method == .api)
        #expect(state.consent(Self.push)?.method == .import)
        // Only the e-mail scope changed: one consent event carried.
        let carried = try fixture.ledger.readStream(kept).filter { $0.type.name.hasPrefix("consent.") && $0.causationID != nil }
        #expect(carried.count == 1)
    }

    @Test("a withdrawal newer than the other side's grant wins, on either side")
    func newerWithdrawalWins() throws {
        let fixture = try Fixture()
        let (kept, gone) = try Self.pair(fixture)
        // E-mail: the survivor subscribed, then the absorbed contact withdrew later.
        try set(fixture, kept, Self.email, .grant(.confirmed, method: .api))
        try set(fixture, gone, Self.email, .grant(.confirmed, method: .api))
        try set(fixture, gone, Self.email, .withdraw(method: .unsubscribeLink, reason: "too-frequent"))
        // SMS: the absorbed contact confirmed, then the survivor withdrew later.
        try set(fixture, gone, Self.sms, .grant(.confirmed, method: .doubleOptIn))
        try set(fixture, kept, Self.sms, .withdraw(method: .operator, reason: nil))
        // Push: the survivor withdrew first, the absorbed contact subscribed later.
        try set(fixture, kept, Self.push, .withdraw(method: .operator, reason: nil))
        try set(fixture, gone, Self.push, .grant(.subscribed, method: .formSingleOptIn))
        try fixture.book.merge(survivor: kept, absorbed: gone, actor: fixture.actor, source: .cli(command: "merge"))
        let state = try #require(try fixture.book.contact(kept))
        #expect(state.consent(Self.email)?.status == .unsubscribed)
        #expect(state.consent(Self.email)?.method == .unsubscribeLink)
        #expect(state.consent(Self.sms)?.status == .unsubscribed)
        #expect(state.consent(Self.sms)?.method == .operator)
        #expect(state.consent(Self.push)?.status == .subscribedUnconfirmed)
    }

    @Test("the rule, record by record")
    func winnerTable() {
        func record(_ status: ConsentStatus, at since: Int64) -> ConsentRecord {
            ConsentRecord(status: status, since: since, method: .api, wordingVersion: nil, position: UInt64(since))
        }
        #expect(ConsentMerge.winner(ours: nil, theirs: record(.unsubscribed, at: 1)) == .theirs)
        #expect(ConsentMerge.winner(ours: record(.subscribedUnconfirmed, at: 1), theirs: record(.confirmed, at: 2)) == .theirs)
        #expect(ConsentMerge.winner(ours: record(.subscribedUnconfirmed, at: 2), theirs: record(.confirmed, at: 1)) == .theirs)
        #expect(ConsentMerge.winner(ours: record(.confirmed, at: 1), theirs: record(.subscribedUnconfirmed, at: 2)) == .ours)
        #expect(ConsentMerge.winner(ours: record(.confirmed, at: 1), theirs: record(.unsubscribed, at: 2)) == .theirs)
        #expect(ConsentMerge.winner(ours: record(.unsubscribed, at: 2), theirs: record(.confirmed, at: 1)) == .ours)
        #expect(ConsentMerge.winner(ours: record(.unsubscribed, at: 1), theirs: record(.subscribedUnconfirmed, at: 2)) == .theirs)
        #expect(ConsentMerge.winner(ours: record(.unsubscribed, at: 1), theirs: record(.unsubscribed, at: 2)) == .ours)
        #expect(ConsentMerge.winner(ours: record(.confirmed, at: 1), theirs: record(.confirmed, at: 2)) == .ours)
    }
}
