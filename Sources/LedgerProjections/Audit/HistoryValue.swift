import LedgerDomain

/// One side of a change in a contact's history: a value, no value, or a value that can no
/// longer be read.
public enum HistoryValue: Hashable, Sendable {
    /// The field or identifier had no value.
    case unset
    /// The value is personal data that was erased or sealed.
    case erased
    /// The value as recorded.
    case value(FieldValue)

    /// The side of a field change as the event holds it.
    init(_ personal: Personal<FieldValue?>) {
        switch personal {
        case .erased: self = .erased
        case .known(nil): self = .unset
        case .known(.some(let value)): self = .value(value)
        }
    }

    /// How the CLI writes it: text quoted (escapes for quotes, backslashes and control
    /// characters), numbers, dates and booleans bare, `(unset)` and `[erased]`.
    public var text: String {
        switch self {
        case .unset: "(unset)"
        case .erased: "[erased]"
        case .value(.text(let text)): Self.quoted(text)
        case .value(.number(let number)): number.canonical
        case .value(.date(let date)): date.iso8601
        case .value(.bool(let flag)): flag ? "true" : "false"
        }
    }

    /// The JSON form: null when unset, `"[erased]"`, else the value as contact documents show it.
    public var json: JSONValue {
        switch self {
        case .unset: .null
        case .erased: .string("[erased]")
        case .value(let value):
            switch DocumentValue(value) {
            case .string(let text): .string(text)
            case .number(let number): .number(number)
            case .bool(let flag): .bool(flag)
            }
        }
    }

    /// `text` in double quotes, so that an empty or padded value stays visible on one line.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{00}"..."\u{1F}", "\u{7F}": out += "\\u{\(String(scalar.value, radix: 16))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
