import LedgerContacts
import LedgerDomain
import LedgerMail
import LedgerProjections

/// A plain composer for `notice:SUBJECT` templates, registered only under
/// `LEDGER_TEST_MAIL_COMPOSER=1` (the sender's crash tests): the subject is the template's
/// text, the body greets the contact by first name, and it goes to the contact's primary
/// e-mail as the contact projection holds it now. A merged contact's mail goes to the
/// survivor; an erased one, or one without an e-mail, gets none.
struct NoticeComposer: MailComposer {
    let service: ContactService

    func compose(_ request: MailRequest) async throws -> ComposedMail? {
        var id = request.contact
        var state = try await service.contact(id)
        var hops = 0
        while let merged = state?.mergedInto, hops < 16 {
            id = merged
            state = try await service.contact(id)
            hops += 1
        }
        guard let state, !state.erased, let address = state.email else { return nil }
        let subject = String(request.template.dropFirst("notice:".count))
        let name = state.firstName ?? "there"
        return ComposedMail(
            recipient: address, subject: subject,
            textBody: "Hello \(name),\n\n\(subject)\n\nReference: \(request.reference)\n",
            listUnsubscribe: ListUnsubscribe(https: "https://unsubscribe.invalid/\(id.rawValue)"))
    }
}
