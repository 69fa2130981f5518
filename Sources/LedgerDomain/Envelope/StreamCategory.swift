/// What kind of entity a stream belongs to. Each category numbers its streams on its own, from
/// 1 up, so system streams (the contact schema, segment rules, forms, tokens, API keys, the
/// outbox) never take contact numbers and contacts stay numbered 1, 2, 3, …
///
/// The category is part of the stream number: bits 48 to 52 (`StreamID(category:number:)`),
/// so a stream number alone says what it is, the numbers stay below 2^53 (exact in JSON), and
/// contacts, category 0, keep the numbers they always had.
public enum StreamCategory: UInt8, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    /// A contact: its identifiers, fields, consent and static segments.
    case contact = 0
    /// The contact schema: custom field declarations.
    case schema = 1
    /// A dynamic segment's rule versions.
    case segment = 2
    /// A subscription form's versions.
    case form = 3
    /// A push token that belongs to no contact (yet).
    case token = 4
    /// An API key's creation and revocation.
    case apiKey = 5
    /// A message of the e-mail outbox.
    case outbox = 6
    /// A VAPID key pair push messages are signed with (`vapid.key-added`).
    case vapidKey = 7
    /// The answer to one bulk or idempotent API request (`apikey.request-recorded`).
    case apiRequest = 8

    /// The word used in text, e.g. `schema`, `api-key`.
    public var label: String {
        switch self {
        case .contact: "contact"
        case .schema: "schema"
        case .segment: "segment"
        case .form: "form"
        case .token: "token"
        case .apiKey: "api-key"
        case .outbox: "outbox"
        case .vapidKey: "vapid-key"
        case .apiRequest: "api-request"
        }
    }

    public var description: String { label }

    /// The category a stream number's bits 48 to 52 name; nil for one this build does not know.
    public init?(of stream: StreamID) {
        guard stream.rawValue >> StreamID.categoryShift < 32 else { return nil }
        self.init(rawValue: UInt8(stream.rawValue >> StreamID.categoryShift))
    }

    /// The lowest stream number of the category (its number 0, never used).
    public var base: UInt64 { UInt64(rawValue) << StreamID.categoryShift }

    /// One past the highest stream number the category can hold.
    public var limit: UInt64 { UInt64(rawValue + 1) << StreamID.categoryShift }
}

extension StreamID {
    /// Where the category starts in a stream number.
    public static let categoryShift: UInt64 = 48

    /// The largest number within one category.
    public static let maxNumberInCategory: UInt64 = (1 << categoryShift) - 1

    /// Stream `number` (from 1) of `category`.
    public init(category: StreamCategory, number: UInt64) {
        self.init(category.base | (number & Self.maxNumberInCategory))
    }

    /// The stream's category; nil for bits this build does not know.
    public var category: StreamCategory? { StreamCategory(of: self) }

    /// The stream's number within its category.
    public var numberInCategory: UInt64 { rawValue & Self.maxNumberInCategory }
}
