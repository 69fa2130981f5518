/// The type of a contact field's value; custom fields declare one in `field.defined`.
public enum FieldType: String, CaseIterable, Hashable, Sendable {
    /// Free text, at most `ContactFieldRules.maxTextLength` characters.
    case text
    /// A decimal number, kept as its exact canonical text.
    case number
    /// A calendar date without a time.
    case date
    /// Yes or no.
    case bool

    /// The word used in JSON and on the CLI.
    public var label: String { rawValue }
}

extension FieldType: StoredCode {
    var code: UInt8 {
        switch self {
        case .text: 1
        case .number: 2
        case .date: 3
        case .bool: 4
        }
    }
}
