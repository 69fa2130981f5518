/// What kind of identifier a contact is found by. Every value is personal data.
public enum IdentifierKind: String, CaseIterable, Hashable, Sendable {
    /// An e-mail address, lowercased.
    case email
    /// A phone number in E.164 form, `+` and up to 15 digits.
    case phone
    /// The contact's id in another system (a CRM, a shop).
    case externalId

    /// The word used in JSON.
    public var label: String { rawValue }
}

extension IdentifierKind: StoredCode {
    var code: UInt8 {
        switch self {
        case .email: 1
        case .phone: 2
        case .externalId: 3
        }
    }
}
