import Foundation
import LedgerContacts
import LedgerDomain
import LedgerForms
import LedgerProjections
import LedgerStore

/// A fresh ledger in a temporary folder with a contact service, a form book and an intake.
final class FormFixture: Sendable {
    let directory = NSTemporaryDirectory() + "ledger-forms-\(UUID().uuidString)"
    let ledger: Ledger
    let book: ContactBook
    let service: ContactService
    let forms: FormBook
    let intake: FormIntake

    init(queueMail: MailQueueing? = nil, limits: SubmissionGuard = SubmissionGuard()) throws {
        ledger = try Ledger(directory: directory)
        book = try ContactBook(ledger: ledger, defaultRegion: "UA")
        service = ContactService(book: book)
        forms = try FormBook(ledger: ledger)
        intake = try FormIntake(service: service, forms: forms, limits: limits, queueMail: queueMail)
    }

    deinit {
        book.close()
        ledger.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Makes form `name` with `fields` (double opt-in unless `doubleOptIn` is false).
    @discardableResult
    func form(_ name: String = "newsletter", fields: String = "email,firstName,phone", doubleOptIn: Bool = true, segments: [String] = ["spring"]) throws -> FormRecord {
        var definition = FormDefinition(name: name, fields: try FormRules.fields(parsing: fields), segments: segments, doubleOptIn: doubleOptIn,
                                        consentText: "I agree to receive the newsletter.")
        definition.title = "Newsletter"
        return try forms.create(definition, actor: Actor(.user, "tester"), source: .cli(command: "test"))
    }

    /// Every event in the log, decoded (personal data unsealed).
    func events() throws -> [RecordedEvent] {
        try ledger.read(from: 1, limit: 10_000)
    }

    /// The contact events of stream `id`, unsealed.
    func contactEvents(_ id: StreamID) throws -> [ContactEvent] {
        let keys = try ledger.keyRing()
        return try ledger.readStream(id).compactMap { event in
            let personal = try keys.personalData(of: event)
            return try LedgerEvent(decoding: event, personalData: personal).contactEvent
        }
    }
}
