import Foundation
import LedgerContacts
import LedgerDomain
import LedgerForms
import LedgerIdentity
import LedgerMail
import LedgerProjections
import LedgerStore
import Testing

/// Submissions through the contact service: not confirmed, segments joined, the consent trail
/// with form version, wording version, IP and user agent, the confirmation request and its mail
/// in one commit; spam, duplicates and confirmed channels.
@Suite("Form intake")
struct FormIntakeTests {
    /// The real outbox append (`MailOutbox.queued`).
    static let queueMail = FormIntake.outbox

    static func submission(_ values: [String: String], honeypot: String? = nil, externalID: String? = nil) -> FormSubmission {
        FormSubmission(values: values, honeypot: honeypot, ipAddress: "203.0.113.7", userAgent: "Mozilla/5.0 (test)", externalID: externalID, door: "hosted")
    }

    @Test("a double opt-in submission: a contact not confirmed, its segments, a pending request with the evidence, and the mail in the same commit")
    func doubleOptIn() async throws {
        let fixture = try FormFixture(queueMail: Self.queueMail)
        let form = try fixture.form()
        let receipt = try await fixture.intake.submit(Self.submission(["email": "Olena@Example.com", "firstName": "Олена", "phone": "067 123 45 67"]), to: form)
        guard case .recorded(let contact, let consent, let tokenID?) = receipt else {
            Issue.record("not recorded: \(receipt)")
            return
        }
        #expect(consent == "confirmation-requested")
        let state = try #require(try fixture.book.contact(contact))
        #expect(state.email == "olena@example.com")
        #expect(state.segments == ["spring"])
        let record = try #require(state.consents[ConsentScope(channel: .email, purpose: "marketing")])
        #expect(record.status == .subscribedUnconfirmed)
        #expect(record.pending?.tokenID == tokenID)
        #expect(record.wordingVersion == "1")
        #expect(record.evidence == ConsentEvidence(ipAddress: "203.0.113.7", userAgent: "Mozilla/5.0 (test)"))
        #expect(state.consents[ConsentScope(channel: .sms, purpose: "marketing")] == nil, "double opt-in confirms the e-mail only")

        let events = try fixture.events()
        let requested = try #require(events.last { $0.type.name == "consent.confirmation-requested" })
        let mail = try #require(events.last)
        #expect(mail.type.name == "mail.queued")
        #expect(mail.stream.category == .outbox)
        #expect(mail.position == requested.position + 1 && mail.recordedAt == requested.recordedAt, "one commit: adjacent, one time")
        guard case .outbox(.queued(let queued)) = try LedgerEvent(decoding: mail) else {
            Issue.record("not mail.queued")
            return
        }
        #expect(MailRequest(queued) == MailRequest(contact: contact, purpose: "doi.confirmation", reference: tokenID, template: "form:newsletter@1"))
        #expect(mail.source == requested.source)
        #expect(requested.source == .form(formID: "newsletter@1", submissionID: { if case .form(_, let id) = requested.source { id } else { "" } }()))
        #expect(requested.actor == Actor(.form, "newsletter"))
        #expect(!mail.personalData.contains(where: { _ in true }), "the outbox event holds nothing personal")
        #expect(try fixture.ledger.verify().faults.isEmpty)
    }

    @Test("single opt-in grants subscribed (method form-single-opt-in); again, nothing more")
    func singleOptIn() async throws {
        let fixture = try FormFixture(queueMail: Self.queueMail)
        let form = try fixture.form(doubleOptIn: false)
        guard case .recorded(let contact, "subscribed", nil) = try await fixture.intake.submit(Self.submission(["email": "a@example.com"]), to: form) else {
            Issue.record("not subscribed")
            return
        }
        let granted = try fixture.contactEvents(contact).compactMap { event -> ConsentGranted? in
            if case .consentGranted(let granted) = event { granted } else { nil }
        }
        #expect(granted.map(\.method) == [.formSingleOptIn])
        #expect(granted.map(\.status) == [.subscribed])
        #expect(granted.first?.evidence == .known(ConsentEvidence(ipAddress: "203.0.113.7", userAgent: "Mozilla/5.0 (test)")))
        #expect(try fixture.events().allSatisfy { $0.type.name != "mail.queued" }, "no mail without double opt-in")
        let before = try fixture.ledger.lastPosition()
        guard case .recorded(_, "already-subscribed", nil) = try await fixture.intake.submit(Self.submission(["email": "a@example.com", "firstName": "A"]), to: form) else {
            Issue.record("not already subscribed")
            return
        }
        #expect(try fixture.contactEvents(contact).filter { if case .consentGranted = $0 { true } else { false } }.count == 1)
        #expect(try fixture.ledger.lastPosition() == before + 1, "only the new first name")
    }

    @Test("a filled honeypot is accepted silently, counted as spam, and makes no contact")
    func honeypot() async throws {
        let fixture = try FormFixture(queueMail: Self.queueMail)
        let form = try fixture.form()
        #expect(try await fixture.intake.submit(Self.submission(["email": "bot@example.com"], honeypot: "http://spam.example"), to: form) == .spam)
        #expect(try fixture.book.resolve(key: "bot@example.com") == nil)
        let last = try #require(try fixture.events().last)
        #expect(last.type.name == "form.spam-received")
        #expect(try fixture.forms.form(named: "newsletter")?.spamCount == 1)
        #expect(try fixture.forms.form(named: "newsletter")?.version == 1, "spam is no new version")
    }

    @Test("the same submission within a minute is absorbed; a repeated external id records nothing twice")
    func duplicates() async throws {
        let fixture = try FormFixture(queueMail: Self.queueMail)
        let form = try fixture.form()
        // A clock that stands still: the minute is the intake's, however slow a loaded machine is.
        let intake = try FormIntake(service: fixture.service, forms: fixture.forms, queueMail: Self.queueMail, clock: { 1_800_000_000_000_000 })
        _ = try await intake.submit(Self.submission(["email": "b@example.com"]), to: form)
        let after = try fixture.ledger.lastPosition()
        #expect(try await intake.submit(Self.submission(["email": "b@example.com"]), to: form) == .duplicate)
        #expect(try fixture.ledger.lastPosition() == after)

        let wix = Self.submission(["email": "c@example.com"], externalID: "wix-submission-1")
        guard case .recorded(_, _, let token?) = try await fixture.intake.submit(wix, to: form) else {
            Issue.record("not recorded")
            return
        }
        #expect(token == DoiToken.derivedID("wix-submission-1"))
        let recorded = try fixture.ledger.lastPosition()
        // A retry, after the in-memory minute (another process, a restart): found by its ids.
        let restarted = try FormIntake(service: fixture.service, forms: fixture.forms, queueMail: Self.queueMail)
        #expect(try await restarted.submit(wix, to: form) == .duplicate)
        #expect(try fixture.ledger.lastPosition() == recorded)
    }

    @Test("a confirmed channel is never lowered, and no confirmation mail goes to it")
    func confirmedStays() async throws {
        let fixture = try FormFixture(queueMail: Self.queueMail)
        let form = try fixture.form()
        let id = try fixture.book.upsert(ContactInput(email: "d@example.com", phone: "+380671112233"), match: .email, channel: .api, actor: Actor(.user, "t"), source: .cli(command: "t")).contact
        try fixture.book.setConsent(id, scope: ConsentScope(channel: .email, purpose: "marketing"), change: .grant(.confirmed, method: .api), actor: Actor(.user, "t"), source: .cli(command: "t"))
        try fixture.book.setConsent(id, scope: ConsentScope(channel: .sms, purpose: "marketing"), change: .grant(.confirmed, method: .api), actor: Actor(.user, "t"), source: .cli(command: "t"))
        let receipt = try await fixture.intake.submit(Self.submission(["email": "d@example.com", "phone": "+380679998877"]), to: form)
        #expect(receipt == .recorded(contact: id, consent: "already-confirmed", tokenID: nil))
        let state = try #require(try fixture.book.contact(id))
        #expect(state.consents[ConsentScope(channel: .email, purpose: "marketing")]?.status == .confirmed)
        #expect(state.phone == "+380671112233", "the confirmed phone is not replaced")
        #expect(try fixture.events().allSatisfy { $0.type.name != "mail.queued" })
    }

    @Test("missing and bad values are refused by field, and nothing is written")
    func refused() async throws {
        let fixture = try FormFixture(queueMail: Self.queueMail)
        let form = try fixture.form(fields: "email,firstName*,phone")
        let before = try fixture.ledger.lastPosition()
        let error = await #expect(throws: FormError.self) {
            try await fixture.intake.submit(Self.submission(["email": "not-an-address", "phone": "12"]), to: form)
        }
        #expect(Set(error?.fieldProblems.keys.map { $0 } ?? []) == ["email", "firstName", "phone"])
        #expect(error?.message.contains("not-an-address") == false, "messages never repeat a submitted value")
        #expect(try fixture.ledger.lastPosition() == before)
    }

    @Test("confirming: the awaited token confirms with its evidence; again is harmless; another token changes nothing")
    func confirm() async throws {
        let fixture = try FormFixture(queueMail: Self.queueMail)
        let form = try fixture.form()
        guard case .recorded(let contact, _, let token?) = try await fixture.intake.submit(Self.submission(["email": "e@example.com"]), to: form) else {
            Issue.record("not recorded")
            return
        }
        let scope = ConsentScope(channel: .email, purpose: "marketing")
        let evidence = ConsentEvidence(ipAddress: "198.51.100.4", userAgent: "Confirming browser")
        #expect(try fixture.book.confirmSubmission(contact, scope: scope, tokenID: "0000", evidence: evidence, actor: Actor(.form, "newsletter"), source: .system(reason: "t")) == .notPending)
        #expect(try fixture.book.confirmSubmission(contact, scope: scope, tokenID: token, evidence: evidence, actor: Actor(.form, "newsletter"), source: .system(reason: "t")) == .confirmed)
        let after = try fixture.ledger.lastPosition()
        #expect(try fixture.book.confirmSubmission(contact, scope: scope, tokenID: token, evidence: evidence, actor: Actor(.form, "newsletter"), source: .system(reason: "t")) == .alreadyConfirmed)
        #expect(try fixture.ledger.lastPosition() == after)
        let record = try #require(try fixture.book.contact(contact)?.consents[scope])
        #expect(record.status == .confirmed)
        #expect(record.method == .doubleOptIn)
        #expect(record.evidence == evidence)
        #expect(record.pending == nil)
    }

    @Test("rate limits per address and per form")
    func limits() {
        let limits = SubmissionGuard(perAddress: 3, perForm: 5)
        let now: Int64 = 1_800_000_000_000_000
        for offset in 0..<3 { #expect(limits.admit(form: "f", address: "a", now: now + Int64(offset)) == nil) }
        #expect(limits.admit(form: "f", address: "a", now: now + 10) != nil)
        #expect(limits.admit(form: "f", address: "b", now: now + 11) == nil)
        #expect(limits.admit(form: "f", address: "c", now: now + 12) == nil)
        #expect(limits.admit(form: "f", address: "d", now: now + 13) != nil, "the form's own limit")
        #expect(limits.admit(form: "g", address: "d", now: now + 14) == nil)
        #expect(limits.admit(form: "f", address: "a", now: now + 61_000_000) == nil, "a minute later")
    }
}
