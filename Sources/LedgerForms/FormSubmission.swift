import LedgerDomain

/// One submission of a form, as any door received it: the hosted page, the third-party
/// subscribe call, or a Wix webhook.
public struct FormSubmission: Sendable {
    /// Values by form field key (`email`, `firstName`, a custom field), as sent.
    public var values: [String: String]
    /// The honeypot field's value: anything in it marks the submission as spam.
    public var honeypot: String?
    /// Where it came from; personal, recorded only sealed on the contact's stream.
    public var ipAddress: String?
    public var userAgent: String?
    /// The sender's own id of the submission (Wix's `submissionId`): a repeat records nothing.
    public var externalID: String?
    /// The door: `hosted`, `api`, `wix`.
    public var door: String

    /// Describes a submission.
    public init(values: [String: String], honeypot: String? = nil, ipAddress: String? = nil, userAgent: String? = nil, externalID: String? = nil, door: String) {
        self.values = values
        self.honeypot = honeypot
        self.ipAddress = ipAddress
        self.userAgent = userAgent
        self.externalID = externalID
        self.door = door
    }
}

/// What a submission did.
public enum SubmissionReceipt: Sendable, Hashable {
    /// The honeypot was filled: recorded as spam, no contact.
    case spam
    /// The same submission came within a minute, or the same external id before: nothing recorded.
    case duplicate
    /// Recorded: the contact, and what happened to its consent.
    case recorded(contact: StreamID, consent: SubmittedConsentOutcomeWord, tokenID: String?)
}

/// `SubmittedConsentOutcome` as LedgerForms' callers see it (they need not import LedgerContacts).
public typealias SubmittedConsentOutcomeWord = String
