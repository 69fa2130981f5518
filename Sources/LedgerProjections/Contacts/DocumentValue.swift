import LedgerDomain

/// A custom field's value as plain JSON, for `ledger contact show --json` and the export.
public enum DocumentValue: Codable, Hashable, Sendable {
    /// Text, a date as `YYYY-MM-DD`, or a number a Double would not hold exactly.
    case string(String)
    /// A number whose canonical decimal text a Double holds exactly.
    case number(Double)
    /// Yes or no.
    case bool(Bool)

    /// The plain form of a field value.
    ///
    /// Numbers stay exact: one becomes a JSON number only when the Double read from its
    /// canonical text writes back as that same decimal (`1250.5`, `12`); anything longer or
    /// finer (`12345678901234567890.1`) stays a string of its canonical text, as stored.
    public init(_ value: FieldValue) {
        switch value {
        case .text(let text):
            self = .string(text)
        case .number(let number):
            if let double = Double(number.canonical), double.isFinite,
               DecimalNumber(String(double))?.canonical == number.canonical {
                self = .number(double)
            } else {
                self = .string(number.canonical)
            }
        case .date(let date):
            self = .string(date.iso8601)
        case .bool(let flag):
            self = .bool(flag)
        }
    }

    /// Plain decimal text of a Double (`12`, not `12.0`); exponent forms stay as Swift writes them.
    static func decimalText(_ number: Double) -> String {
        let text = String(number)
        return DecimalNumber(text)?.canonical ?? text
    }

    /// Reads a JSON boolean, number or string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    /// Writes the plain JSON value.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let text): try container.encode(text)
        case .number(let number): try container.encode(number)
        case .bool(let flag): try container.encode(flag)
        }
    }
}
