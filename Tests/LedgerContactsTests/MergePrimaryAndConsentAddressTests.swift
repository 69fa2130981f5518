import Foundation
@testable import LedgerContacts
import LedgerDomain
import LedgerProjections
import LedgerStore
import Testing

/// Issue 15, items 18 and 20: a merge keeps the survivor's own identifiers primary, and consent
/// is given only on a channel the contact has an address for.
@Suite("Merge primaries and consent addresses", .serialized)
struct MergePrimaryAndConsentAddressTests {
    @Test("the survivor's own e-mail, phone and external id stay primary; every identifier is kept")
    func survivorStaysPrimary() throws {
        let fixture = try Fixture()
        let kept = try fixture.upsert(ContactInput(email: "kept@example.com", phone: "+380671112233", externalId: "crm-1")).contact
        let gone = try fixture.upsert(ContactInput(email: "gone@example.com", phone: "+380501112233", externalId: "crm-2")).contact
        try fixture.book.merge(survivor: kept, absorbed: gone, actor: fixture.actor, source: .cli(command: "merge"))
        let state = try #require(try fixture.book.contact(kept))
        #expect(state.email == "kept@example.com")
        #expect(state.phone == "+380671112233")
        #expect(state.externalId == "crm-1")
        #expect(state.identifiersPrimaryFirst(.email) == ["kept@example.com", "gone@example.com"])
        #expect(state.document.emails == ["kept@example.com", "gone@example.com"])
        #expect(state.document.phones == ["+380671112233", "+380501112233"])
        #expect(state.document.externalIds == ["crm-1", "crm-2"])
        #expect(try fixture.book.resolve(key: "gone@example.com") == kept)
        #expect(try fixture.ledger.verify().isValid)
    }

    @Test("a merge that brings no new identifier of a kind records no re-add of it")
    func noNeedlessReadd() throws {
        let fixture = try Fixture()
        let kept = try fixture.upsert(ContactInput(email: "kept@example.com")).contact
        let gone = try fixture.upsert(ContactInput(phone: "+380501112233")).contact
        let before = try fixture.ledger.readStream(kept).count
        try fixture.book.merge(survivor: kept, absorbed: gone, actor: fixture.actor, source: .cli(command: "merge"))
        let added = try fixture.ledger.readStream(kept).dropFirst(before).map(\.type.name)
        #expect(added == ["contact.merged", "contact.identifier-added"], "the phone only; no e-mail re-added")
        #expect(try fixture.book.contact(kept)?.document.emails == nil, "one e-mail: no list")
    }

    @Test("consent on email needs an e-mail and on sms a phone; push needs neither; withdrawing needs nothing")
    func consentNeedsAddress() throws {
        let fixture = try Fixture()
        let emailOnly = try fixture.upsert(ContactInput(email: "olena@example.com")).contact
        let phoneOnly = try fixture.upsert(ContactInput(phone: "+380671112233")).contact
        func set(_ id: StreamID, _ channel: ConsentChannel, _ change: ConsentChange) throws {
            try fixture.book.setConsent(id, scope: ConsentScope(channel: channel, purpose: "marketing"), change: change, actor: fixture.actor, source: .cli(command: "test"))
        }
        let grant = ConsentChange.grant(.subscribed, method: .operator)
        #expect { try set(emailOnly, .sms, grant) } throws: { ($0 as? ContactError)?.code == .missingIdentifier }
        #expect { try set(phoneOnly, .email, grant) } throws: { ($0 as? ContactError)?.code == .missingIdentifier }
        try set(emailOnly, .email, grant)
        try set(phoneOnly, .sms, grant)
        try set(emailOnly, .webpush, grant)
        try set(phoneOnly, .mobilepush, grant)
        try set(emailOnly, .sms, .withdraw(method: .operator, reason: nil))
    }
}
