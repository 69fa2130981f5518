/// Something wrong with one row that the reader reports rather than repairs.
public struct RowProblem: Sendable, Equatable, CustomStringConvertible {
    /// A stable identifier of the problem, for programs; `message` is for people.
    public let code: Code
    /// A sentence naming the row and what is wrong, without quoting any value.
    public let message: String

    /// Creates a problem with its message.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// The code and the message.
    public var description: String { "\(code): \(message)" }

    /// The row has a different number of fields than the header.
    static func fieldCount(row: Int, found: Int, expected: Int) -> RowProblem {
        RowProblem(
            code: .fieldCount,
            message: "row \(row) has \(found) fields but the header has \(expected); "
                + "look for a missing or extra delimiter, or a delimiter inside an unquoted value")
    }

    /// A workbook row has values to the right of the last header column.
    static func valuesBeyondHeader(row: Int, columns: Int, expected: Int) -> RowProblem {
        RowProblem(
            code: .fieldCount,
            message: "row \(row) has values in \(columns) columns but the header has \(expected); "
                + "give the extra columns a header or delete them")
    }

    /// The row's bytes are not valid in the file's encoding; undecodable bytes became U+FFFD.
    static func undecodableText(row: Int, encoding: String) -> RowProblem {
        RowProblem(
            code: .undecodableText,
            message: "row \(row) contains bytes that are not valid \(encoding); "
                + "save the file as UTF-8 or name its encoding explicitly")
    }
}

extension RowProblem {
    /// What kind of problem a row has. A struct so that codes can be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String { case fieldCount, undecodableText }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// More or fewer fields than the header.
        public static let fieldCount = Code(.fieldCount)
        /// Bytes that the detected or named encoding cannot decode.
        public static let undecodableText = Code(.undecodableText)

        /// The code's stable name, such as `fieldCount`.
        public var description: String { value.rawValue }
    }
}
