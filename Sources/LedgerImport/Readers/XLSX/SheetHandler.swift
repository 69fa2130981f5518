import Foundation

/// Turns a worksheet part into rows, one `<row>` at a time, and hands them to `emit`.
///
/// Cells are placed by their `r` reference, so gaps (sparse rows) become empty strings in the
/// right columns; trailing empty cells are not represented. Rows without any value are skipped.
///
/// A row is numbered by its own `r`, or as the row after the one before when it has none. Rows
/// of a sheet are numbered 1 to 1,048,576 in increasing order; a row whose number is malformed,
/// out of that range or not above the one before still comes out, with a problem that says so
/// and the number of the last well-numbered row, so that it is rejected rather than lost or
/// taken for another row.
///
/// A cell longer than `ImportLimits.cellCharacters`, or a row whose values pass
/// `ImportLimits.rowBytes`, still comes out, cut to the limit, with a problem naming the row and
/// column: its row is rejected, the rest of the sheet is read. Text beyond the limits is not kept,
/// so a hostile sheet cannot make one value (or its rejection message) grow without bound.
///
/// This runs for every element of sheets with millions of cells, so it avoids work per event:
/// attributes are read in one pass, numbers and indexes are parsed from their UTF-8 bytes, and
/// only text inside `<v>` and `<t>` is kept.
final class SheetHandler: XMLPartHandler {
    /// A cell's `t` attribute: what its `<v>` holds.
    private enum CellType {
        /// An index into the shared-strings table (`s`).
        case shared
        /// Text, decoded from escapes: inline (`inlineStr`) or a formula's result (`str`).
        case text
        /// A boolean, `0` or `1` (`b`).
        case boolean
        /// Shown as written: errors (`e`) and ISO 8601 dates (`d`).
        case verbatim
        /// A number (`n`, or no `t` at all; unknown types are treated the same).
        case number

        init(_ name: String?) {
            switch name {
            case "s": self = .shared
            case "inlineStr", "str": self = .text
            case "b": self = .boolean
            case "e", "d": self = .verbatim
            default: self = .number
            }
        }
    }

    private let fileName: String
    private let sharedStrings: SharedStringTable
    private let styles: [CellNumberKind]
    private let uses1904Dates: Bool
    private let emit: (Row) throws -> Void

    /// The number the current row is reported with.
    private var rowNumber = 0
    /// The number of the last row whose own number was good: the next must be above it.
    private var lastGoodNumber = 0
    /// What is wrong with the current row's number, if anything.
    private var rowProblem: RowProblem?
    private var cells: [String] = []
    private var nextColumn = 0
    private var column = 0
    private var type = CellType.number
    private var style = 0
    private var value = ""
    /// Whether text of the current cell was dropped, past `CellTextLimit.rawBytes`.
    private var valueIsCut = false
    /// Whether the current cell refers to a shared string that is over the cell limit.
    private var sharedIsOverlong = false
    /// The current row's cells held to the cell and row limits.
    private var rowLimits = WorkbookRowLimits(row: 0)
    private var capturing = false
    private var inInlineString = false
    private var inPhonetic = false
    /// Dates already rendered, by day serial: a contact base repeats the same birthdays, and a
    /// look-up costs a tenth of rendering. Capped, so it does not grow with the sheet.
    private var renderedDays: [Int: String] = [:]
    private static let maxRenderedDays = 65_536

    init(
        fileName: String, sharedStrings: SharedStringTable, styles: [CellNumberKind], uses1904Dates: Bool,
        emit: @escaping (Row) throws -> Void
    ) {
        self.fileName = fileName
        self.sharedStrings = sharedStrings
        self.styles = styles
        self.uses1904Dates = uses1904Dates
        self.emit = emit
    }

    func didStart(_ name: String, attributes: [String: String]) throws {
        switch name {
        case "c":
            try startCell(attributes)
        case "v": capturing = true
        case "row":
            startRow(attributes.xmlAttribute("r"))
            cells.removeAll(keepingCapacity: true)
            nextColumn = 0
            rowLimits = WorkbookRowLimits(row: rowNumber)
        case "is": inInlineString = true
        case "t": capturing = inInlineString && !inPhonetic
        case "rPh": inPhonetic = true
        default: break
        }
    }

    /// Numbers the row that starts, from its `r` attribute when it has one.
    private func startRow(_ reference: String?) {
        let after = lastGoodNumber
        let number: Int
        if let reference {
            guard let parsed = Self.integer(reference) else {
                rowNumber = after
                rowProblem = .malformedRowNumber(after: after, text: reference)
                return
            }
            number = parsed
        } else {
            number = after + 1
        }
        guard (1...ImportLimits.spreadsheetRows).contains(number) else {
            rowNumber = after
            rowProblem = .rowNumberOutOfRange(after: after, number: number, limit: ImportLimits.spreadsheetRows)
            return
        }
        guard number > after else {
            rowNumber = after
            rowProblem = .rowNumberNotIncreasing(after: after, number: number)
            return
        }
        rowNumber = number
        lastGoodNumber = number
        rowProblem = nil
    }

    /// Reads `r`, `t` and `s` of a `<c>` in one pass over its attributes; a prefixed name (`x:r`)
    /// counts only when the plain one is absent, as in `xmlAttribute`.
    private func startCell(_ attributes: [String: String]) throws {
        var reference: String?
        var typeName: String?
        var styleIndex: String?
        var hasPrefixedNames = false
        for (key, value) in attributes {
            switch key {
            case "r": reference = value
            case "t": typeName = value
            case "s": styleIndex = value
            default: hasPrefixedNames = hasPrefixedNames || key.utf8.contains(UInt8(ascii: ":"))
            }
        }
        if hasPrefixedNames {
            reference = reference ?? attributes.xmlAttribute("r")
            typeName = typeName ?? attributes.xmlAttribute("t")
            styleIndex = styleIndex ?? attributes.xmlAttribute("s")
        }
        if let reference {
            guard let referenced = SpreadsheetText.column(ofReference: reference) else {
                throw ImportFileError(
                    .malformedXML, file: fileName, row: rowNumber,
                    reason: "a cell has an invalid reference; the file is damaged — save it again from Excel")
            }
            column = referenced
        } else {
            column = nextColumn
        }
        type = CellType(typeName)
        style = styleIndex.flatMap(Self.integer) ?? 0
        value = ""
        valueIsCut = false
        sharedIsOverlong = false
    }

    func didEnd(_ name: String) throws {
        switch name {
        case "v", "t": capturing = false
        case "c":
            let text = try cellText()
            if !text.isEmpty, let kept = rowLimits.admit(text, column: column, isCut: valueIsCut || sharedIsOverlong) {
                place(kept)
            }
            nextColumn = column + 1
        case "row":
            if !cells.isEmpty { try emit(Row(number: rowNumber, fields: cells, problem: rowProblem ?? rowLimits.problem)) }
        case "is": inInlineString = false
        case "rPh": inPhonetic = false
        default: break
        }
    }

    func foundText(_ text: String) {
        guard capturing, !valueIsCut else { return }
        valueIsCut = !CellTextLimit.append(text, to: &value)
    }

    private func place(_ text: String) {
        if column == cells.count {
            cells.append(text)
        } else if column < cells.count {
            cells[column] = text
        } else {
            cells.append(contentsOf: repeatElement("", count: column - cells.count))
            cells.append(text)
        }
    }

    /// The text a spreadsheet shows for the cell just closed.
    private func cellText() throws -> String {
        switch type {
        case .shared:
            guard !valueIsCut, let index = Self.sharedIndex(value), let text = sharedStrings[index] else {
                throw ImportFileError(
                    .malformedXML, file: fileName, row: rowNumber,
                    field: "cell \(SpreadsheetText.columnLetters(column))\(rowNumber)",
                    reason: "the cell refers to a shared string the workbook does not have; "
                        + "the file is damaged — save it again from Excel")
            }
            sharedIsOverlong = sharedStrings.isOverlong(index)
            return text
        case .text:
            return SpreadsheetText.decodingEscapes(value)
        case .boolean:
            return value == "1" ? "TRUE" : value == "0" ? "FALSE" : value
        case .verbatim:
            return value
        case .number:
            guard !value.isEmpty else { return "" }
            let kind = styles.indices.contains(style) ? styles[style] : .number
            guard kind != .number else { return PlainNumber.render(value) }
            if kind != .time, let day = Self.digits(value), day < SpreadsheetDate.serialLimit {
                return date(day: day)
            }
            if let serial = Double(value),
                let date = SpreadsheetDate.render(serial: serial, kind: kind, uses1904Dates: uses1904Dates)
            {
                return date
            }
            return PlainNumber.render(value)
        }
    }

    /// What `SpreadsheetDate.render` gives for whole day `day` shown as a date or a date-time
    /// (no time of day, so just the date), through `renderedDays`.
    private func date(day: Int) -> String {
        if let rendered = renderedDays[day] { return rendered }
        let rendered = SpreadsheetDate.date(day: day, uses1904Dates: uses1904Dates)
        if renderedDays.count < Self.maxRenderedDays { renderedDays[day] = rendered }
        return rendered
    }

    /// The shared-string index a `<v>` holds; whitespace around it is allowed, as `Int` after trimming.
    private static func sharedIndex(_ text: String) -> Int? {
        digits(text) ?? Int(text.trimmingCharacters(in: .whitespaces))
    }

    /// A row number or style index, as `Int(text)` reads it.
    private static func integer(_ text: String) -> Int? {
        digits(text) ?? Int(text)
    }

    /// The value of `text` when it is 1 to 15 ASCII digits and nothing else (a fast path that
    /// needs no overflow check); nil for anything else, which the caller parses the slow way.
    static func digits(_ text: String) -> Int? {
        let utf8 = text.utf8
        guard !utf8.isEmpty, utf8.count <= 15 else { return nil }
        var result = 0
        for byte in utf8 {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            result = result * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return result
    }
}
