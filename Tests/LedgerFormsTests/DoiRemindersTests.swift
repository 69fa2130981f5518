import Foundation
import LedgerContacts
import LedgerDomain
import LedgerForms
import LedgerMail
import LedgerStore
import Testing

/// `doi pending` and the one reminder a form asks for.
@Suite("Double opt-in reminders")
struct DoiRemindersTests {
    @Test("pending requests are listed with their form version; one reminder is queued once, after the delay, while the link works")
    func reminders() async throws {
        let fixture = try FormFixture(queueMail: FormIntake.outbox)
        try fixture.form()
        let form = try fixture.forms.update(name: "newsletter", actor: Actor(.user, "t"), source: .cli(command: "t")) { $0.reminderAfterHours = 48 }
        guard case .recorded(let contact, _, let tokenID?) = try await fixture.intake.submit(FormSubmission(values: ["email": "p@example.com"], door: "test"), to: form) else {
            Issue.record("not recorded")
            return
        }
        let now = Ledger.systemClock()
        let hour: Int64 = 3_600_000_000
        #expect(try await fixture.service.read { try DoiPendingList.pending(book: $0, before: now - hour) }.isEmpty, "not older than an hour")
        let pending = try await fixture.service.read { try DoiPendingList.pending(book: $0, before: now + hour) }
        #expect(pending.map(\.contact) == [contact])
        #expect(pending.first?.tokenID == tokenID)
        #expect(pending.first?.form == "newsletter" && pending.first?.formVersion == 2)

        #expect(try await DoiReminders.queueDue(service: fixture.service, forms: fixture.forms, now: now + 47 * hour) == 0, "not yet")
        #expect(try await DoiReminders.queueDue(service: fixture.service, forms: fixture.forms, now: now + 49 * hour) == 1)
        #expect(try await DoiReminders.queueDue(service: fixture.service, forms: fixture.forms, now: now + 50 * hour) == 0, "once only")
        #expect(try MailOutbox.stream(ofReference: FormMailComposer.reminderReference(tokenID), in: fixture.ledger) != nil)
        #expect(try await DoiReminders.queueDue(service: fixture.service, forms: fixture.forms, now: now + 200 * hour) == 0, "the link has expired")

        _ = try fixture.book.confirmSubmission(contact, scope: ConsentScope(channel: .email, purpose: "marketing"), tokenID: tokenID, evidence: .none, actor: Actor(.form, "newsletter"), source: .system(reason: "t"))
        #expect(try await fixture.service.read { try DoiPendingList.pending(book: $0, before: now + hour) }.isEmpty, "confirmed: no longer pending")
    }
}
