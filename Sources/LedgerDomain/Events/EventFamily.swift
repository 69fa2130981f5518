/// The families of events the ledger records, each read into an exhaustive enum of its own,
/// chosen by the prefix of the event's type tag.
///
/// A projector looks only at its own families (`LedgerEvent`), so adding a family (segment
/// rules, forms, tokens, API keys, the outbox) does not touch the contact projectors, and an
/// event of a family this build does not know is a value (`LedgerEvent.unrecognized`) that
/// readers pass over, not an error caught to steer them.
public enum EventFamily: String, CaseIterable, Hashable, Sendable {
    /// Contacts and what hangs on them: `contact.*`, `consent.*`, static `segment.member-*`,
    /// and their schema's `field.*` (read as `ContactEvent`).
    case contacts
    /// Dynamic segments: `segment.rule-*`, `segment.refreshed` and `segment.members-changed`
    /// (read as `SegmentEvent`).
    case segments
    /// Push tokens and the VAPID keys they depend on: `token.*`, `vapid.*` (read as
    /// `TokenEvent`).
    case tokens
    /// API keys: `apikey.created`, `apikey.revoked`, and what a key's requests were answered,
    /// `apikey.request-recorded` (read as `ApiKeyEvent`).
    case apiKeys
    /// Subscription forms: `form.defined`, `form.updated`, `form.spam-received` (read as
    /// `FormEvent`).
    case forms
    /// The e-mail outbox: `mail.*` (read as `MailEvent`).
    case outbox

    /// Each family's tag prefixes. A prefix belongs to one family, and no prefix starts
    /// another (checked by the tests), so a tag has at most one family.
    public var typePrefixes: [String] {
        switch self {
        case .contacts: ["contact.", "consent.", "segment.member-", "field."]
        case .segments: ["segment.rule-", "segment.refreshed", "segment.members-changed"]
        case .tokens: ["token.", "vapid."]
        case .apiKeys: ["apikey."]
        case .forms: ["form."]
        case .outbox: ["mail."]
        }
    }

    /// The family that claims the type named `name`; nil when no family this build knows does.
    public init?(typeName name: String) {
        let found = Array(name.utf8).withUnsafeBytes { Self(utf8TypeName: $0) }
        guard let found else { return nil }
        self = found
    }

    /// The family that claims the type whose name has these UTF-8 bytes; nil when none does.
    public init?(utf8TypeName bytes: UnsafeRawBufferPointer) {
        for (prefix, family) in Self.utf8Prefixes where prefix.count <= bytes.count {
            if prefix.withUnsafeBytes({ $0.elementsEqual(bytes.prefix(prefix.count)) }) {
                self = family
                return
            }
        }
        return nil
    }

    /// Every prefix's UTF-8 bytes, for `init(utf8TypeName:)`.
    private static let utf8Prefixes: [([UInt8], EventFamily)] = allCases.flatMap { family in
        family.typePrefixes.map { (Array($0.utf8), family) }
    }
}
