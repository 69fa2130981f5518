import LedgerDomain

/// One mail to send, as the outbox records it (`mail.queued`): to whom by contact stream, why,
/// a reference unique to this mail, and the template the composer renders. Nothing in it is
/// personal: the address and the text are composed when it is sent.
public struct MailRequest: Hashable, Sendable {
    /// The contact the mail goes to.
    public var contact: StreamID
    /// Why it is sent: a short code such as `doi.confirmation` or `doi.reminder`.
    public var purpose: String
    /// Unique per mail, e.g. the confirmation token's id: the same reference is queued once.
    public var reference: String
    /// What to render, chosen by the caller and read by its composer, e.g. `form:spring@3`.
    public var template: String
    /// The earliest time to send it, microseconds since 1970 (0: at once).
    public var notBefore: Int64

    /// Describes a mail to queue.
    public init(contact: StreamID, purpose: String, reference: String, template: String, notBefore: Int64 = 0) {
        self.contact = contact
        self.purpose = purpose
        self.reference = reference
        self.template = template
        self.notBefore = notBefore
    }

    /// The request a `mail.queued` event records.
    public init(_ queued: MailQueued) {
        self.init(contact: queued.contact, purpose: queued.purpose, reference: queued.reference, template: queued.template, notBefore: queued.notBefore)
    }

    /// The event payload.
    public var queued: MailQueued {
        MailQueued(contact: contact, purpose: purpose, reference: reference, template: template, notBefore: notBefore)
    }

    /// The longest reference and template, in UTF-8 bytes.
    public static let maximumReferenceLength = 200

    /// Checks the fields: a contact stream; a purpose of `a-z 0-9 . _ -`; a reference and a
    /// template of 1 to 200 printable characters (no control characters: they end up in logs
    /// and listings).
    public func validate() throws(MailError) {
        guard contact.category == .contact, contact.numberInCategory > 0 else {
            throw MailError(.invalidRequest, "a mail goes to a contact stream; \(contact) is not one")
        }
        let purposeAllowed = purpose.utf8.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2E || byte == 0x5F || byte == 0x2D
        }
        guard !purpose.isEmpty, purpose.utf8.count <= 64, purposeAllowed else {
            throw MailError(.invalidRequest, "the purpose is 1 to 64 characters of a-z, 0-9, '.', '_' and '-'")
        }
        for (name, value) in [("reference", reference), ("template", template)] {
            guard !value.isEmpty, value.utf8.count <= Self.maximumReferenceLength else {
                throw MailError(.invalidRequest, "the \(name) is 1 to \(Self.maximumReferenceLength) bytes")
            }
            guard !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || (0x80..<0xA0).contains($0.value) }) else {
                throw MailError(.invalidRequest, "the \(name) holds a control character")
            }
        }
    }
}
