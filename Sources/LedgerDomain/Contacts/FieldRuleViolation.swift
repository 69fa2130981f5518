/// A value that breaks a rule of `ContactFieldRules`.
///
/// The message names the field and the rule (and a length or a position), never the value:
/// violations are logged and shown in import reports, and values are personal data.
public struct FieldRuleViolation: Error, Hashable, Sendable, CustomStringConvertible {
    /// Which rule was broken; a struct over a private enum so that codes can be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case empty, tooLong, invalidCharacters, invalidFormat, wrongType, unknownField
            case outOfRange, duplicateField, noChange, erasedValue, reservedName
        }

        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// Empty or blank text; clearing a field is a nil value, not an empty one.
        public static let empty = Code(.empty)
        /// Longer than the field allows.
        public static let tooLong = Code(.tooLong)
        /// Control characters, or surrounding spaces where they are not allowed.
        public static let invalidCharacters = Code(.invalidCharacters)
        /// Not in the field's form (an identifier not normalised, a malformed language tag).
        public static let invalidFormat = Code(.invalidFormat)
        /// A value of another type than the field's.
        public static let wrongType = Code(.wrongType)
        /// A custom field that has not been defined.
        public static let unknownField = Code(.unknownField)
        /// A date or number outside what the field accepts.
        public static let outOfRange = Code(.outOfRange)
        /// The same field twice in one change list.
        public static let duplicateField = Code(.duplicateField)
        /// A change whose old and new values are equal, or an empty change list.
        public static let noChange = Code(.noChange)
        /// An erased value where a new event needs a known one.
        public static let erasedValue = Code(.erasedValue)
        /// A custom field name taken by a standard field or an identifier.
        public static let reservedName = Code(.reservedName)

        public var description: String {
            switch value {
            case .empty: "empty"
            case .tooLong: "too long"
            case .invalidCharacters: "invalid characters"
            case .invalidFormat: "invalid format"
            case .wrongType: "wrong type"
            case .unknownField: "unknown field"
            case .outOfRange: "out of range"
            case .duplicateField: "duplicate field"
            case .noChange: "no change"
            case .erasedValue: "erased value"
            case .reservedName: "reserved name"
            }
        }
    }

    /// Which rule was broken.
    public let code: Code
    /// What was checked: a field name, `email identifier`, `segment name`.
    public let subject: String
    /// The rule in words, e.g. `at most 40 characters, got 41`.
    public let message: String

    /// Describes a broken rule.
    public init(_ code: Code, _ subject: String, _ message: String) {
        self.code = code
        self.subject = subject
        self.message = message
    }

    public var description: String { "\(subject): \(code): \(message)" }
}
