import Foundation
import LedgerContacts
import LedgerDomain
import LedgerIdentity
import LedgerMail
import LedgerProjections
import LedgerStore
import Logging
import Synchronization

/// A clock the tests move by hand: the ledger stamps events with it and the sender decides
/// what is due by it, so back-off is tested without waiting.
final class ManualClock: Sendable {
    private let now = Mutex<Int64>(1_796_000_000_000_000)

    var value: Int64 { now.withLock { $0 } }

    func advance(seconds: Int64) {
        now.withLock { $0 += seconds * 1_000_000 }
    }
}

/// Renders `test:SUBJECT` mails from the contact projection as it is now: the contact's
/// primary e-mail, its first name in the body, a fixed unsubscribe URL. An erased contact, or
/// one without an e-mail, gets nothing (nil). A real composer, not a stub: it reads the store.
struct ProjectionComposer: MailComposer {
    let service: ContactService
    var html = true

    func compose(_ request: MailRequest) async throws -> ComposedMail? {
        guard let state = try await service.contact(request.contact), !state.erased, let address = state.email else { return nil }
        let subject = String(request.template.dropFirst("test:".count))
        let name = state.firstName ?? "friend"
        return ComposedMail(
            recipient: address, subject: subject,
            textBody: "Hello \(name),\n.\nplease confirm: https://forms.example/confirm?t=\(request.reference)\n",
            htmlBody: html ? "<p>Hello \(name),</p><p><a href=\"https://forms.example/confirm?t=\(request.reference)\">confirm</a></p>" : nil,
            listUnsubscribe: ListUnsubscribe(https: "https://forms.example/unsubscribe?t=\(request.reference)", mailto: "mailto:unsubscribe@forms.example"))
    }
}

/// A fresh store in a temporary folder with the manual clock, a contact book and its service.
final class MailFixture: Sendable {
    let directory: String
    let clock: ManualClock
    let ledger: Ledger
    let book: ContactBook
    let service: ContactService

    init() throws {
        let directory = NSTemporaryDirectory() + "ledger-mail-\(UUID().uuidString)"
        let clock = ManualClock()
        self.directory = directory
        self.clock = clock
        ledger = try Ledger(directory: directory, options: Ledger.Options(clock: { clock.value }))
        book = try ContactBook(ledger: ledger, defaultRegion: "UA")
        service = ContactService(book: book)
    }

    deinit {
        book.close()
        ledger.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Adds a contact with `email` and `firstName`; returns its stream.
    func contact(_ email: String, firstName: String? = nil) async throws -> StreamID {
        let item = UpsertItem(
            input: ContactInput(email: email, fields: firstName.map { [(.standard(.firstName), .text($0))] } ?? []),
            source: .api(key: "crm", requestID: UUID().uuidString))
        return try await service.upsert(item, match: .email, channel: .api, actor: Actor(.apiKey, "crm")).contact
    }

    /// Queues a `test:SUBJECT` mail to `contact` with `reference`.
    @discardableResult
    func queue(_ contact: StreamID, reference: String, subject: String = "Confirm your subscription") async throws -> AppendResult {
        try await MailOutbox.enqueue(
            MailRequest(contact: contact, purpose: "doi.confirmation", reference: reference, template: "test:" + subject),
            in: ledger, actor: Actor(.form, "spring"), source: .form(formID: "spring", submissionID: reference))
    }

    /// A sender through the sink at `port` with a one-minute back-off. Its timeouts are long: a
    /// full test run starves the sink (a Python process) of CPU for seconds at a time.
    func sender(port: Int, startTLS: SMTPConfiguration.StartTLS = .off, trust: String? = nil, user: String? = nil, password: String? = nil,
                host: String = "127.0.0.1", html: Bool = true, maximumAttempts: UInt64 = 12) throws -> MailSender {
        let configuration = SMTPConfiguration(
            host: host, port: port, startTLS: startTLS, username: user, password: password, trustRootsFile: trust,
            connectTimeout: .seconds(30), commandTimeout: .seconds(30), dataTimeout: .seconds(30))
        let clock = clock
        return MailSender(
            ledger: ledger, composer: ProjectionComposer(service: service, html: html), client: try SMTPClient(configuration: configuration),
            options: MailSender.Options(from: try MailAddress(parsing: "Ledger News <news@ledger.test>", field: "from"), maximumAttempts: maximumAttempts),
            logger: Logger(label: "mail-test"), clock: { clock.value })
    }

    /// The outbox as the log says it is.
    func queue() throws -> MailQueue {
        try MailQueue.load(from: ledger)
    }

    /// The outbox events' payloads as JSON text, one per line.
    func outboxJSON() throws -> String {
        var lines = [String]()
        try ledger.forEachEvent(from: 1) { event in
            guard event.stream.category == .outbox, let payload = try LedgerEvent(decoding: event).jsonPayload else { return }
            lines.append(String(decoding: try JSONEncoder().encode(payload), as: UTF8.self))
        }
        return lines.joined(separator: "\n")
    }
}
