import LedgerDomain

/// What a contact key names, read one way for every door (CLI, import, API): a contact number,
/// an e-mail address, a phone number or an external id.
///
/// The forms, tried in this order:
/// - `#123` or `id:123`: contact number 123;
/// - `ext:ID`: the external id `ID` (the id the contact has in a CRM), taken as written;
/// - `email:ADDRESS` or `phone:NUMBER`: said outright;
/// - text with an `@`: an e-mail address;
/// - anything else: a phone number, in any format the default region reads.
///
/// A bare number is a phone number, never a contact number: `0671234567` must not find
/// contact 671234567, and an `erase` must not pick the wrong person. There is no guessing
/// beyond this table.
public enum ContactKey: Hashable, Sendable, CustomStringConvertible {
    /// A contact's number (its stream).
    case number(StreamID)
    /// An e-mail address as written; the book normalises it.
    case email(String)
    /// A phone number as written; the book normalises it with its default region.
    case phone(String)
    /// An id in another system, exactly as written.
    case externalID(String)

    /// The longest key accepted, in Unicode scalars (an external id is at most 256).
    public static let maxLength = 320

    /// Reads `text` as a key; a key that cannot be one of the forms is an error saying which
    /// forms there are.
    public init(parsing text: String) throws(ContactError) {
        let key = text.trimmingWhitespace
        guard !key.isEmpty else {
            throw ContactError(.invalidRequest, "an empty contact key: give a contact number (#12 or id:12), an e-mail, a phone or ext:ID")
        }
        guard key.unicodeScalars.count <= Self.maxLength else {
            throw ContactError(.invalidRequest, "a contact key of more than \(Self.maxLength) characters")
        }
        // Control characters are never part of a key, and would reach a terminal when echoed.
        guard !key.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw ContactError(.invalidRequest, "a contact key with control characters")
        }
        if let number = Self.prefix(key, "#") ?? Self.prefix(key, "id:") {
            guard number.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), number.utf8.count <= 15,
                  let value = UInt64(number), value > 0
            else {
                throw ContactError(.invalidRequest, "\(key) is not a contact number: write #12 or id:12")
            }
            self = .number(StreamID(value))
        } else if let id = Self.prefix(key, "ext:") {
            guard !id.isEmpty else { throw ContactError(.invalidRequest, "ext: needs the external id after it") }
            self = .externalID(id)
        } else if let address = Self.prefix(key, "email:") {
            self = .email(address)
        } else if let number = Self.prefix(key, "phone:") {
            self = .phone(number)
        } else if key.contains("@") {
            self = .email(key)
        } else {
            self = .phone(key)
        }
    }

    /// The text after `prefix` (compared without case), or nil when `text` does not start with it.
    private static func prefix(_ text: String, _ prefix: String) -> String? {
        guard text.utf8.count >= prefix.utf8.count,
              text.utf8.prefix(prefix.utf8.count).elementsEqual(prefix.utf8, by: { Self.lower($0) == $1 })
        else { return nil }
        return String(decoding: text.utf8.dropFirst(prefix.utf8.count), as: UTF8.self).trimmingWhitespace
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
    }

    /// The key in its explicit form, e.g. `#12`, `email:olena@example.com`.
    public var description: String {
        switch self {
        case .number(let id): "#\(id)"
        case .email(let address): "email:\(address)"
        case .phone(let number): "phone:\(number)"
        case .externalID(let id): "ext:\(id)"
        }
    }
}
