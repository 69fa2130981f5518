import Foundation
import LedgerContacts
import LedgerDomain
import LedgerForms
import LedgerMail
import LedgerProjections
import LedgerStore
import Testing

/// The double opt-in mail, rendered at send time from the contact and the form version: the
/// link confirms, the unsubscribe link and header are there, values are escaped in HTML, and a
/// confirmation no longer awaited sends nothing.
@Suite("Form mail composer")
struct FormMailComposerTests {
    static func composer(_ fixture: FormFixture) -> FormMailComposer {
        FormMailComposer(service: fixture.service, forms: fixture.forms, key: fixture.intake.key, publicURL: "https://forms.example.com/")
    }

    @Test("the confirmation mail: recipient, subject, a link that verifies, one-click unsubscribe, escaped HTML")
    func confirmation() async throws {
        let fixture = try FormFixture(queueMail: FormIntake.outbox)
        let form = try fixture.form()
        guard case .recorded(let contact, _, let tokenID?) = try await fixture.intake.submit(
            FormSubmission(values: ["email": "olena@example.com", "firstName": "<b>Olena</b>"], door: "test"), to: form) else {
            Issue.record("not recorded")
            return
        }
        let request = MailRequest(contact: contact, purpose: "doi.confirmation", reference: tokenID, template: "form:newsletter@1")
        let mail = try #require(try await Self.composer(fixture).compose(request))
        #expect(mail.recipient == "olena@example.com")
        #expect(mail.subject == "Please confirm your subscription to Newsletter")
        #expect(mail.textBody.contains("Hello <b>Olena</b>,"), "plain text is not HTML-escaped")
        #expect(mail.htmlBody?.contains("Hello &lt;b&gt;Olena&lt;/b&gt;,") == true)
        #expect(mail.listUnsubscribe.https.hasPrefix("https://forms.example.com/unsubscribe?token=v1."))
        let link = try #require(mail.textBody.split(separator: "\n").first { $0.hasPrefix("https://forms.example.com/confirm?token=") })
        let token = try DoiToken.verify(String(link.dropFirst("https://forms.example.com/confirm?token=".count)), key: fixture.intake.key, now: Ledger.systemClock() / 1_000_000).get()
        #expect(token.id == tokenID)
        #expect(token.contact == contact)
        #expect(token.purpose == .confirm)
        let lifetime = token.expiresAt - Ledger.systemClock() / 1_000_000
        #expect(lifetime > 7 * 86_400 - 120 && lifetime <= 7 * 86_400, "seven days by default")

        let reminder = try #require(try await Self.composer(fixture).compose(
            MailRequest(contact: contact, purpose: "doi.reminder", reference: FormMailComposer.reminderReference(tokenID), template: "form:newsletter@1")))
        #expect(reminder.subject.hasPrefix("Reminder: "))

        _ = try fixture.book.confirmSubmission(contact, scope: ConsentScope(channel: .email, purpose: "marketing"), tokenID: tokenID, evidence: .none, actor: Actor(.form, "newsletter"), source: .system(reason: "t"))
        #expect(try await Self.composer(fixture).compose(request) == nil, "confirmed: nothing to send")
    }

    @Test("a per-form template is used, and an expired or replaced request sends nothing")
    func templates() async throws {
        let fixture = try FormFixture(queueMail: FormIntake.outbox)
        try fixture.form()
        #expect(throws: FormError.self, "a subject is one line: no header can be smuggled in") {
            try fixture.forms.update(name: "newsletter", actor: Actor(.user, "t"), source: .cli(command: "t")) { $0.mailSubject = "Hi\r\nBcc: x@example.com" }
        }
        let form = try fixture.forms.update(name: "newsletter", actor: Actor(.user, "t"), source: .cli(command: "t")) { form in
            form.mailSubject = "Підтвердіть, {{firstName}}"
            form.mailText = "Tap {{confirmUrl}} before {{expiresAt}}."
            form.tokenLifetimeHours = 1
        }
        guard case .recorded(let contact, _, let tokenID?) = try await fixture.intake.submit(
            FormSubmission(values: ["email": "taras@example.com", "firstName": "Тарас"], door: "test"), to: form) else {
            Issue.record("not recorded")
            return
        }
        let request = MailRequest(contact: contact, purpose: "doi.confirmation", reference: tokenID, template: "form:newsletter@2")
        let mail = try #require(try await Self.composer(fixture).compose(request))
        #expect(mail.subject == "Підтвердіть, Тарас")
        #expect(mail.textBody.hasPrefix("Tap https://forms.example.com/confirm?token="))
        let later = FormMailComposer(service: fixture.service, forms: fixture.forms, key: fixture.intake.key, publicURL: "https://forms.example.com",
                                     clock: { Ledger.systemClock() + 2 * 3_600_000_000 })
        #expect(try await later.compose(request) == nil, "expired: nothing to send")
        // A second submission replaces the awaited token: the first mail is no longer sent.
        _ = try await fixture.intake.submit(FormSubmission(values: ["email": "taras@example.com", "firstName": "Тарас", "phone": "+380671234567"], door: "test"), to: form)
        #expect(try await Self.composer(fixture).compose(request) == nil)
    }
}
