import LedgerContacts
import LedgerDomain
import LedgerMail
import LedgerProjections
import LedgerStore

/// The one reminder a form's setting asks for (`--reminder-after 2d`): queued by `ledger serve`
/// on a schedule for each confirmation still awaited that long, while its link still works.
/// The reminder's reference is `reminder:TOKEN`, so it is queued once, whichever process or
/// pass gets there first (the outbox refuses a reference twice).
public enum DoiReminders {
    /// Queues the reminders due at `now` (microseconds since 1970); returns how many were new.
    public static func queueDue(service: ContactService, forms: FormBook, now: Int64) async throws -> Int {
        let table = try forms.table()
        let remindAfter = table.forms.values.filter { $0.versions.contains { $0.reminderAfterHours > 0 } }
        guard !remindAfter.isEmpty else { return 0 }
        let shortest = remindAfter.flatMap(\.versions).map(\.reminderAfterHours).filter { $0 > 0 }.min() ?? 0
        let pending = try await service.read { try DoiPendingList.pending(book: $0, before: now - Int64(shortest) * 3_600_000_000) }
        var queued = 0
        for item in pending {
            guard let name = item.form, let version = item.formVersion, let definition = table.forms[name]?.definition(version: version),
                  definition.reminderAfterHours > 0,
                  item.requestedAt + Int64(definition.reminderAfterHours) * 3_600_000_000 <= now,
                  item.requestedAt + Int64(definition.tokenLifetimeHours) * 3_600_000_000 > now
            else { continue }
            let request = MailRequest(contact: item.contact, purpose: "doi.reminder", reference: FormMailComposer.reminderReference(item.tokenID),
                                      template: FormIntake.template(name, version: version))
            let result = try await MailOutbox.enqueue(request, in: service.book.ledger, actor: Actor(.system, "doi-reminders"), source: .system(reason: "doi reminder"))
            if result.duplicates == 0 { queued += 1 }
        }
        return queued
    }
}
