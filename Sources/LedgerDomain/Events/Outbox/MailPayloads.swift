/// `mail.queued` v1: a mail is to be sent to a contact, composed at send time.
public struct MailQueued: Hashable, Sendable {
    /// The contact the mail goes to (its stream; the address is read when it is sent).
    public var contact: StreamID
    /// Why it is sent, e.g. `doi.confirmation`, `doi.reminder`.
    public var purpose: String
    /// Unique per mail (e.g. a confirmation token's id): the queued event's id is derived from
    /// it, so the same mail is never queued twice.
    public var reference: String
    /// What the composer renders, chosen by the caller, e.g. `form:spring@3`.
    public var template: String
    /// The earliest time it may be sent, microseconds since 1970.
    public var notBefore: Int64

    /// Describes a queued mail.
    public init(contact: StreamID, purpose: String, reference: String, template: String, notBefore: Int64) {
        self.contact = contact
        self.purpose = purpose
        self.reference = reference
        self.template = template
        self.notBefore = notBefore
    }
}

/// `mail.sent` v1: the SMTP server answered 250 to the message's data.
public struct MailSent: Hashable, Sendable {
    /// Which attempt it was, from 1.
    public var attempt: UInt64
    /// The message's `Message-ID` (without angle brackets): the same for every attempt.
    public var messageID: String
    /// The server's final reply to DATA, e.g. `250 2.0.0 Ok: queued as 4B1F`, addresses blanked.
    public var reply: String

    /// Describes a delivery to the server.
    public init(attempt: UInt64, messageID: String, reply: String) {
        self.attempt = attempt
        self.messageID = messageID
        self.reply = reply
    }
}

/// `mail.failed` v1: an attempt failed. A temporary failure names the next attempt; a
/// permanent one (a 5xx to the mail itself) ends the mail.
public struct MailFailed: Hashable, Sendable {
    /// Which attempt it was, from 1.
    public var attempt: UInt64
    /// The SMTP reply code, or 0 when there was none (no connection, a timeout, TLS).
    public var code: UInt16
    /// The reply's text or what went wrong, addresses blanked.
    public var reply: String
    /// Whether the mail is given up.
    public var permanent: Bool
    /// When the next attempt is due (microseconds since 1970); nil when permanent.
    public var nextAttempt: Int64?

    /// Describes a failed attempt.
    public init(attempt: UInt64, code: UInt16, reply: String, permanent: Bool, nextAttempt: Int64?) {
        self.attempt = attempt
        self.code = code
        self.reply = reply
        self.permanent = permanent
        self.nextAttempt = permanent ? nil : nextAttempt
    }
}

/// `mail.dropped` v1: the mail will not be sent, e.g. its contact was erased or has confirmed
/// already (the composer had nothing to send).
public struct MailDropped: Hashable, Sendable {
    /// Why, as a short code such as `not-composed`; never personal.
    public var reason: String

    /// Describes a dropped mail.
    public init(reason: String) {
        self.reason = reason
    }
}

/// `mail.requeued` v1: an operator asked for a permanently failed (or dropped) mail to be tried
/// again (`ledger mail retry`).
public struct MailRequeued: Hashable, Sendable {
    /// The earliest time of the next attempt, microseconds since 1970.
    public var notBefore: Int64

    /// Describes a new try.
    public init(notBefore: Int64) {
        self.notBefore = notBefore
    }
}
