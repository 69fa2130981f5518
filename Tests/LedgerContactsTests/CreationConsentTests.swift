@testable import LedgerContacts
import LedgerDomain
import LedgerIdentity
import LedgerProjections
import LedgerStore
import Testing

/// A new contact's consent on its sender's stated terms rides in its `contact.created`
/// (decision 0022), and reads exactly as the grants it replaces.
@Suite("Consent a contact is created with")
struct CreationConsentTests {
    static let email = ConsentScope(channel: .email, purpose: "marketing")
    static let sms = ConsentScope(channel: .sms, purpose: "marketing")
    static let push = ConsentScope(channel: .webpush, purpose: "marketing")

    @Test("grants on stated terms move into the creation, one per scope, never ahead of another step of their scope")
    func carried() throws {
        let evidence = ConsentEvidence(ipAddress: "192.0.2.1")
        var events: [ContactEvent] = [
            .contactCreated(ContactCreated(channel: .import)),
            .identifierAdded(IdentifierChange(kind: .email, value: "a@example.com")),
            // Moves: no evidence, no time of its own.
            .consentGranted(ConsentGranted(scope: Self.email, method: .import, status: .subscribed, wordingVersion: "v1")),
            // Stays: its scope is carried already, and this comes after.
            .consentGranted(ConsentGranted(scope: Self.email, method: .import, status: .confirmed, wordingVersion: nil)),
            // Stays: a time of its own (migrated from another system).
            .consentGranted(ConsentGranted(scope: Self.sms, method: .import, status: .subscribed, wordingVersion: nil, occurredAt: 5)),
            // Stays: another step of its scope came first.
            .consentGranted(ConsentGranted(scope: Self.sms, method: .import, status: .confirmed, wordingVersion: nil)),
            // Stays: evidence.
            .consentGranted(ConsentGranted(scope: Self.push, method: .api, status: .confirmed, wordingVersion: nil, evidence: .known(evidence))),
        ]
        let original = events
        ContactBook.carryCreationConsent(in: &events, from: 2)
        #expect(events.count == original.count - 1)
        #expect(events[0] == .contactCreated(ContactCreated(channel: .import, consents: [
            CreationConsent(scope: Self.email, method: .import, status: .subscribed, wordingVersion: "v1"),
        ])))
        #expect(Array(events[1...]) == [original[1]] + original[3...])

        // Folded, both read the same: every scope's status, method and wording.
        func consents(_ events: [ContactEvent]) -> [ConsentScope: (ConsentStatus, ConsentMethod, String?)] {
            var state: ContactState?
            for (index, event) in events.enumerated() {
                ContactState.fold(into: &state, event, meta: EventMeta(position: UInt64(index + 1), stream: StreamID(1), recordedAt: 1_000))
            }
            return (state?.consents ?? [:]).mapValues { ($0.status, $0.method, $0.wordingVersion) }
        }
        let carried = consents(events)
        let separate = consents(original)
        #expect(carried.keys.sorted { $0.channel.label < $1.channel.label } == separate.keys.sorted { $0.channel.label < $1.channel.label })
        for (scope, value) in separate {
            #expect(carried[scope]?.0 == value.0 && carried[scope]?.1 == value.1 && carried[scope]?.2 == value.2, "\(scope)")
        }
    }

    @Test("an import's stated consent for a new contact: no consent.granted event, and the trail and the state show it granted by import")
    func importedContact() throws {
        let fixture = try Fixture()
        var input = ContactInput(email: "new@example.com", phone: "+380501234567")
        input.consent = ConsentInput(stated: .confirmed, purpose: "marketing")
        let outcome = try fixture.book.upsert(
            [ContactBatchTests.item(input, row: 2)], match: .email, channel: .import, actor: fixture.actor)
        guard case .success(.created(let contact, let events)) = outcome.first else {
            Issue.record("\(outcome)")
            return
        }
        #expect(events == 1, "created, carrying both consents, the e-mail and the phone")
        let recorded = try fixture.ledger.readStream(contact)
        #expect(!recorded.contains { $0.type.name == "consent.granted" })
        let state = try #require(try fixture.book.contact(contact))
        #expect(state.consents[Self.email]?.status == .confirmed)
        #expect(state.consents[Self.sms]?.method == .import)
        let trail = try ConsentTrail.entries(recorded)
        #expect(trail.map(\.scope.channel) == [.email, .sms])
        #expect(trail.allSatisfy { $0.action == .granted && $0.method == .import && $0.grantedStatus == .confirmed && $0.position == recorded[0].position })

        // The same contact again: nothing to grant, nothing recorded.
        let again = try fixture.book.upsert([ContactBatchTests.item(input, row: 3)], match: .email, channel: .import, actor: fixture.actor)
        guard case .success(.unchanged) = again.first else {
            Issue.record("\(again)")
            return
        }
    }
}
