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

    /// A workbook row's number is not a whole number.
    static func malformedRowNumber(after: Int, text: String) -> RowProblem {
        let shown = text.utf8.count <= 20 && text.utf8.allSatisfy { (0x21...0x7E).contains($0) } ? "\"\(text)\"" : "a value"
        return RowProblem(
            code: .rowNumber,
            message: "\(rowAfter(after)) gives \(shown) as its row number, which is not a whole number; "
                + "the file is damaged — save it again from Excel")
    }

    /// A workbook row's number is outside the rows a sheet has.
    static func rowNumberOutOfRange(after: Int, number: Int, limit: Int) -> RowProblem {
        RowProblem(
            code: .rowNumber,
            message: "\(rowAfter(after)) is numbered \(number), outside the rows 1 to \(limit) a sheet has; "
                + "the file is damaged — save it again from Excel")
    }

    /// A workbook row's number repeats or goes back: two rows would claim one number.
    static func rowNumberNotIncreasing(after: Int, number: Int) -> RowProblem {
        RowProblem(
            code: .rowNumber,
            message: "\(rowAfter(after)) is numbered \(number), \(number == after ? "the same as" : "below") the row before it; "
                + "rows of a sheet are numbered in increasing order — the file is damaged, save it again from Excel")
    }

    /// A workbook cell has more characters than a cell may (`ImportLimits.cellCharacters`).
    static func cellTooLong(row: Int, column: Int, limit: Int) -> RowProblem {
        RowProblem(
            code: .tooLong,
            message: "row \(row), column \(SpreadsheetText.columnLetters(column)): cell longer than "
                + "\(grouped(limit)) characters, more than Excel itself allows; shorten the cell or clear it")
    }

    /// A workbook row's values together are longer than a row may be (`ImportLimits.rowBytes`).
    static func rowTooLong(row: Int, limit: Int) -> RowProblem {
        RowProblem(
            code: .tooLong,
            message: "row \(row) holds more than \(limit / 1024) KiB of text, more than a contact can need; "
                + "shorten its cells or split them over rows")
    }

    /// `number` with thousands separated by commas, as the docs write limits (32,767).
    static func grouped(_ number: Int) -> String {
        let digits = String(number.magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return (number < 0 ? "-" : "") + result
    }

    /// How a message names the row after row `after` (0: none, the sheet's first row).
    private static func rowAfter(_ after: Int) -> String {
        after == 0 ? "the sheet's first row" : "the row after row \(after)"
    }
}

extension RowProblem {
    /// What kind of problem a row has. A struct so that codes can be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String { case fieldCount, undecodableText, rowNumber, tooLong }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// More or fewer fields than the header.
        public static let fieldCount = Code(.fieldCount)
        /// Bytes that the detected or named encoding cannot decode.
        public static let undecodableText = Code(.undecodableText)
        /// A workbook row whose number is malformed, out of range, or not above the row before.
        public static let rowNumber = Code(.rowNumber)
        /// A workbook cell or row longer than the import takes (`ImportLimits.cellCharacters`, `rowBytes`).
        public static let tooLong = Code(.tooLong)

        /// The code's stable name, such as `fieldCount`.
        public var description: String { value.rawValue }
    }
}
