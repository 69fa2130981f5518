import LedgerDomain

/// One change within a history entry: a field's old and new value, or a change in words.
public struct HistoryChange: Hashable, Sendable {
    /// What the change is about.
    public enum Kind: String, Hashable, Sendable {
        /// The contact as a whole: created, merged, erased.
        case contact
        /// A standard or custom field.
        case field
        /// An e-mail, phone or external id.
        case identifier
        /// Consent for one channel and purpose.
        case consent
        /// Membership of a static segment.
        case segment
        /// A custom field declaration (schema stream).
        case schema
        /// An event type this build does not know.
        case other
    }

    /// What the change is about.
    public var kind: Kind
    /// The field name, identifier kind (`email`, `phone`, `externalId`), consent scope
    /// (`channel/purpose`) or segment name; nil for the contact as a whole.
    public var subject: String?
    /// The value before, for fields and identifiers.
    public var old: HistoryValue?
    /// The value after, for fields and identifiers.
    public var new: HistoryValue?
    /// The change in words, without the subject: `"Olena" → "Olha"`, `added "a@b.c"`.
    public var detail: String

    /// Describes a change.
    public init(kind: Kind, subject: String?, old: HistoryValue? = nil, new: HistoryValue? = nil, detail: String) {
        self.kind = kind
        self.subject = subject
        self.old = old
        self.new = new
        self.detail = detail
    }

    /// The change in words with its subject: `firstName: "Olena" → "Olha"`,
    /// `consent email/newsletter: granted by api`, `segment spring: joined`.
    public var summary: String {
        guard let subject else { return detail }
        switch kind {
        case .consent: return "consent \(subject): \(detail)"
        case .segment: return "segment \(subject): \(detail)"
        case .schema: return "field \(subject): \(detail)"
        case .contact, .field, .identifier, .other: return "\(subject): \(detail)"
        }
    }

    /// Whether the change is to field or identifier `name` (`firstName`, `email`, a custom name).
    public func concerns(field name: String) -> Bool {
        (kind == .field || kind == .identifier) && subject == name
    }
}
