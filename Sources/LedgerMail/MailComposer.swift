/// Renders a queued mail at send time, from the contact's current state and the template the
/// request names. Returns nil when the mail is no longer to be sent (the contact was erased,
/// has no e-mail, or has confirmed already): the sender records it as `mail.dropped`.
///
/// A thrown error is a temporary failure (the mail is tried again later with back-off), so a
/// composer should return nil, not throw, for what will never change.
public protocol MailComposer: Sendable {
    /// The mail for `request`, or nil when it is no longer to be sent.
    func compose(_ request: MailRequest) async throws -> ComposedMail?
}

/// A rendered mail: the one place the recipient's address and the words exist, in memory, at
/// send time. `MailMessage` checks every field before any of it reaches a header.
public struct ComposedMail: Hashable, Sendable {
    /// The recipient, a plain `local@domain`.
    public var recipient: String
    /// The subject, any Unicode (encoded as RFC 2047 words when not ASCII).
    public var subject: String
    /// The plain text body.
    public var textBody: String
    /// The HTML body, sent as the preferred alternative when present.
    public var htmlBody: String?
    /// Where to unsubscribe: `List-Unsubscribe` and RFC 8058 one-click.
    public var listUnsubscribe: ListUnsubscribe
    /// A `Reply-To` address, when replies go elsewhere than `From`.
    public var replyTo: String?

    /// Describes a rendered mail.
    public init(recipient: String, subject: String, textBody: String, htmlBody: String? = nil, listUnsubscribe: ListUnsubscribe, replyTo: String? = nil) {
        self.recipient = recipient
        self.subject = subject
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.listUnsubscribe = listUnsubscribe
        self.replyTo = replyTo
    }
}

/// The unsubscribe targets of a mail (RFC 2369 `List-Unsubscribe`, RFC 8058 one-click): an
/// https URL that takes a POST without cookies or login, and optionally a mailto.
public struct ListUnsubscribe: Hashable, Sendable {
    /// The one-click URL, `https://…`.
    public var https: String
    /// A `mailto:` URL, if the sender also takes unsubscribe mails.
    public var mailto: String?

    /// Describes the unsubscribe targets.
    public init(https: String, mailto: String? = nil) {
        self.https = https
        self.mailto = mailto
    }
}
