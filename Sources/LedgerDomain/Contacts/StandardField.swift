/// The fields every contact has, with fixed types.
public enum StandardField: String, CaseIterable, Hashable, Sendable {
    /// Given name, at most 40 characters.
    case firstName
    /// Family name, at most 40 characters.
    case lastName
    /// Date of birth, without a time.
    case birthDate
    /// Preferred language as a BCP 47 tag, e.g. `uk` or `pt-BR`.
    case languageCode
    /// IANA time zone name, e.g. `Europe/Kyiv`.
    case timeZone

    /// The camelCase name used in JSON.
    public var name: String { rawValue }

    /// The type of the field's value.
    public var valueType: FieldType {
        switch self {
        case .birthDate: .date
        case .firstName, .lastName, .languageCode, .timeZone: .text
        }
    }
}

extension StandardField: StoredCode {
    var code: UInt8 {
        switch self {
        case .firstName: 1
        case .lastName: 2
        case .birthDate: 3
        case .languageCode: 4
        case .timeZone: 5
        }
    }
}

extension StandardField {
    // A String-backed enum hashes and compares its raw value (RawRepresentable's defaults):
    // a contact's field table hashed "firstName" for every value it held. The stored code
    // says the same, in one byte.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }

    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
