/// The value of a contact field, typed.
public enum FieldValue: Hashable, Sendable {
    /// Text.
    case text(String)
    /// A decimal number, exact.
    case number(DecimalNumber)
    /// A calendar date.
    case date(CalendarDate)
    /// Yes or no.
    case bool(Bool)

    /// The type of this value.
    public var type: FieldType {
        switch self {
        case .text: .text
        case .number: .number
        case .date: .date
        case .bool: .bool
        }
    }
}
