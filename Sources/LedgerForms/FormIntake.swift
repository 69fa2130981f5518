import Crypto
import Foundation
import LedgerContacts
import LedgerDomain
import LedgerIdentity
import LedgerMail
import LedgerProjections
import LedgerStore

/// Makes the outbox events of a mail (`mail.queued`) to append in the submission's own commit.
public typealias MailQueueing = @Sendable (_ request: MailRequest, _ actor: Actor, _ source: Source) throws -> [AppendRequest]

/// Takes form submissions from every door through the contact service (never around it):
/// creates or updates the contact as not confirmed, joins the form's segments, and records the
/// consent with the form version, wording version, IP address, user agent and time; with
/// double opt-in, the confirmation request and its mail are one commit.
public final class FormIntake: Sendable {
    /// The contact write path.
    public let service: ContactService
    /// The forms.
    public let forms: FormBook
    /// The key links are signed with (`keys/forms`).
    public let key: SymmetricKey
    /// Rate limits and duplicate absorption.
    public let limits: SubmissionGuard
    /// Makes a mail's outbox events; nil: no outbox (the confirmation is requested, no mail queued).
    let queueMail: MailQueueing?
    /// The clock of the abuse limits, in microseconds since 1970.
    public let clock: @Sendable () -> Int64

    /// The outbox's own append for a mail (`MailOutbox.queued`), with the submission's actor
    /// and source.
    public static let outbox: MailQueueing = { request, actor, source in
        [try MailOutbox.queued(request, actor: actor, source: source)]
    }

    /// An intake writing through `service`.
    public init(service: ContactService, forms: FormBook, limits: SubmissionGuard = SubmissionGuard(), queueMail: MailQueueing?, clock: @escaping @Sendable () -> Int64 = Ledger.systemClock) throws {
        self.service = service
        self.forms = forms
        self.key = try service.book.ledger.storeSecret(named: "forms")
        self.limits = limits
        self.queueMail = queueMail
        self.clock = clock
    }

    /// The reference (`template`) of a form version's confirmation mail: `form:NAME@VERSION`.
    public static func template(_ form: String, version: UInt32) -> String { "form:\(form)@\(version)" }

    /// The contact input a submission means for `definition`, or every problem by field key.
    public func input(_ submission: FormSubmission, definition: FormDefinition) async throws -> ContactInput {
        var problems = [String: String]()
        var input = ContactInput(segments: definition.segments)
        let declared = try await service.read { try $0.directory().fieldTypes() }
        for field in definition.fields {
            let raw = (submission.values[field.key] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            if raw.isEmpty {
                if field.required { problems[field.key] = "\(field.label) is required" }
                continue
            }
            guard raw.count <= 1_000, !raw.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" }) else {
                problems[field.key] = "\(field.label) is too long or has control characters"
                continue
            }
            switch field.key {
            case "email":
                if case .failure = try await service.read({ $0.normalize(ContactInput(email: raw)) }) {
                    problems[field.key] = "\(field.label) is not a valid e-mail address"
                } else {
                    input.email = raw
                }
            case "phone":
                if case .failure = try await service.read({ $0.normalize(ContactInput(phone: raw)) }) {
                    problems[field.key] = "\(field.label) is not a valid phone number"
                } else {
                    input.phone = raw
                }
            default:
                let contactField: ContactField = StandardField(rawValue: field.key).map(ContactField.standard) ?? .custom(field.key)
                let type: FieldType? = switch contactField {
                case .standard(let standard): standard.valueType
                case .custom(let name): declared[name]
                }
                guard let type else {
                    // A custom field not declared yet is typed by its first value, as every door does.
                    input.fields.append((contactField, FieldValueReader.infer(raw)))
                    continue
                }
                do {
                    input.fields.append((contactField, try FieldValueReader.read(raw, as: type)))
                } catch {
                    problems[field.key] = "\(field.label): \(error)"
                }
            }
        }
        if input.email == nil && input.phone == nil && problems.isEmpty {
            problems[definition.fields.first { $0.key == "email" || $0.key == "phone" }?.key ?? "email"] = "an e-mail address or a phone number is required"
        }
        guard problems.isEmpty else {
            throw FormError(.invalidSubmission, "the submission has \(problems.count) problem\(problems.count == 1 ? "" : "s"): \(problems.keys.sorted().joined(separator: ", "))", fieldProblems: problems)
        }
        return input
    }

    /// Records `submission` of `record`'s current version.
    public func submit(_ submission: FormSubmission, to record: FormRecord) async throws -> SubmissionReceipt {
        let definition = record.current
        let version = record.version
        let now = clock()
        let submissionID = submission.externalID ?? EventID.timeOrdered().uuidString
        let source = Source.form(formID: "\(definition.name)@\(version)", submissionID: submissionID)
        if let honeypot = submission.honeypot, !honeypot.isEmpty {
            let forms = forms
            try await service.write { _ in try forms.recordSpam(record, version: version, source: source) }
            return .spam
        }
        var input = try await input(submission, definition: definition)
        // A Wix retry carries the same submission id: its events' ids are derived from it, and a
        // first event already in the log means the first try was recorded.
        let namespace = submission.externalID.map { id in
            SHA256.hash(data: Array("contactledger.form\u{0}\(definition.name)\u{0}\(id)".utf8)).prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        }
        if let namespace, try await service.read({ book in
            try book.ledger.position(of: EventID.sourceRow(namespace: namespace, row: 0)(0)) != nil
                || book.ledger.position(of: EventID.sourceRow(namespace: namespace, row: 1)(0)) != nil
        }) {
            return .duplicate
        }
        if limits.isDuplicate(form: definition.name, values: submission.values, now: now) { return .duplicate }
        let actor = Actor(.form, definition.name)
        try await keepConfirmedChannels(&input)
        let ids = Self.ids(namespace, row: 0)
        let outcome: UpsertOutcome
        do {
            do {
                outcome = try await service.upsert(UpsertItem(input: input, source: source, ids: ids), match: .emailOrPhone, channel: .form, actor: actor)
            } catch let error as ContactError where error.code == .identityConflict && input.email != nil && input.phone != nil {
                // The e-mail and the phone belong to two contacts: the e-mail decides, and the
                // phone is left out rather than telling the sender whose it is.
                input.phone = nil
                outcome = try await service.upsert(UpsertItem(input: input, source: source, ids: ids), match: .emailOrPhone, channel: .form, actor: actor)
            }
        } catch let error as ContactError where error.code == .invalidField || error.code == .invalidIdentifier {
            // A value the field rules refuse (a name over 40 characters): shown beside the field
            // it names, to the person who sent it.
            let field = definition.fields.first { error.message.contains($0.key) } ?? definition.fields[0]
            throw FormError(.invalidSubmission, "the submission has a value the ledger refuses: \(field.key)", fieldProblems: [field.key: "\(field.label): \(error.message)"])
        }
        let channel: ConsentChannel = input.email != nil ? .email : .sms
        let doubleOptIn = definition.doubleOptIn && channel == .email
        let tokenID = submission.externalID.map(DoiToken.derivedID) ?? DoiToken.newID()
        let consent = SubmittedConsent(
            scope: ConsentScope(channel: channel, purpose: definition.purpose), doubleOptIn: doubleOptIn,
            wordingVersion: String(definition.consentVersion),
            evidence: ConsentEvidence(ipAddress: submission.ipAddress, userAgent: submission.userAgent), tokenID: tokenID)
        let contact = outcome.contact
        let queueMail = queueMail
        let template = Self.template(definition.name, version: version)
        let consentIDs = Self.ids(namespace, row: 1)
        let result = try await service.write { book in
            try book.recordSubmission(contact, consent: consent, alongside: { outcome in
                guard outcome == .confirmationRequested, let queueMail else { return [] }
                return try queueMail(MailRequest(contact: contact, purpose: "doi.confirmation", reference: tokenID, template: template), actor, source)
            }, actor: actor, source: source, ids: consentIDs)
        }
        return .recorded(contact: contact, consent: result.rawValue, tokenID: result == .confirmationRequested ? tokenID : nil)
    }

    /// The ids of a submission's commit `row` (0: the contact's, 1: the consent's), derived from
    /// its external id when it has one, else new.
    static func ids(_ namespace: UInt64?, row: UInt64) -> @Sendable (Int) -> EventID {
        guard let namespace else { return { _ in EventID.timeOrdered() } }
        return EventID.sourceRow(namespace: namespace, row: row)
    }

    /// Leaves out of `input` a phone that would replace one a contact has confirmed: a form
    /// never overwrites a confirmed channel. The e-mail leads (it is what double opt-in
    /// confirms): the contact it names keeps its confirmed phone; when it names none, a phone
    /// held by a contact whose e-mail is confirmed is left out, so the submission makes a new
    /// contact instead of replacing that e-mail.
    func keepConfirmedChannels(_ input: inout ContactInput) async throws {
        guard let email = input.email, let phone = input.phone else { return }
        let drop = try await service.read { book -> Bool in
            guard case .success(let normalized) = book.normalize(ContactInput(email: email, phone: phone)) else { return false }
            let confirmed = { (state: ContactState, channel: ConsentChannel) in
                state.consents.contains { $0.key.channel == channel && $0.value.status == .confirmed }
            }
            if let id = try book.resolve(.email(email)), let state = try book.contact(id) {
                return confirmed(state, .sms) && state.identifiers(.phone).last != normalized.phone
            }
            if let id = try book.resolve(.phone(phone)), let state = try book.contact(id) {
                return confirmed(state, .email) && state.identifiers(.email).last != normalized.email
            }
            return false
        }
        if drop { input.phone = nil }
    }
}
