import Foundation

/// Turns a worksheet part into rows, one `<row>` at a time, and hands them to `emit`.
///
/// Cells are placed by their `r` reference, so gaps (sparse rows) become empty strings in the
/// right columns; trailing empty cells are not represented. Rows without any value are skipped.
final class SheetHandler: XMLPartHandler {
    private let fileName: String
    private let sharedStrings: SharedStringTable
    private let styles: [CellNumberKind]
    private let uses1904Dates: Bool
    private let emit: (Row) throws -> Void

    private var rowNumber = 0
    private var cells: [String] = []
    private var nextColumn = 0
    private var column = 0
    private var type: String?
    private var style = 0
    private var value = ""
    private var capturing = false
    private var inInlineString = false
    private var inPhonetic = false

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
        case "row":
            rowNumber = attributes.xmlAttribute("r").flatMap { Int($0) } ?? rowNumber + 1
            cells.removeAll(keepingCapacity: true)
            nextColumn = 0
        case "c":
            if let reference = attributes.xmlAttribute("r") {
                guard let referenced = SpreadsheetText.column(ofReference: reference) else {
                    throw ImportFileError(
                        .malformedXML, file: fileName, row: rowNumber,
                        reason: "a cell has an invalid reference; the file is damaged — save it again from Excel")
                }
                column = referenced
            } else {
                column = nextColumn
            }
            type = attributes.xmlAttribute("t")
            style = attributes.xmlAttribute("s").flatMap { Int($0) } ?? 0
            value = ""
        case "v": capturing = true
        case "is": inInlineString = true
        case "t": capturing = inInlineString && !inPhonetic
        case "rPh": inPhonetic = true
        default: break
        }
    }

    func didEnd(_ name: String) throws {
        switch name {
        case "v", "t": capturing = false
        case "is": inInlineString = false
        case "rPh": inPhonetic = false
        case "c":
            let text = try cellText()
            if !text.isEmpty { place(text) }
            nextColumn = column + 1
        case "row":
            if !cells.isEmpty { try emit(Row(number: rowNumber, fields: cells)) }
        default: break
        }
    }

    func foundText(_ text: String) {
        if capturing { value += text }
    }

    private func place(_ text: String) {
        if column < cells.count {
            cells[column] = text
            return
        }
        cells.append(contentsOf: repeatElement("", count: column - cells.count))
        cells.append(text)
    }

    /// The text a spreadsheet shows for the cell just closed.
    private func cellText() throws -> String {
        switch type {
        case "s":
            guard let index = Int(value.trimmingCharacters(in: .whitespaces)), let text = sharedStrings[index] else {
                throw ImportFileError(
                    .malformedXML, file: fileName, row: rowNumber,
                    field: "cell \(SpreadsheetText.columnLetters(column))\(rowNumber)",
                    reason: "the cell refers to a shared string the workbook does not have; "
                        + "the file is damaged — save it again from Excel")
            }
            return text
        case "inlineStr", "str":
            return SpreadsheetText.decodingEscapes(value)
        case "b":
            return value == "1" ? "TRUE" : value == "0" ? "FALSE" : value
        case "e", "d":
            return value
        default:
            guard !value.isEmpty else { return "" }
            let kind = styles.indices.contains(style) ? styles[style] : .number
            if kind != .number, let serial = Double(value),
                let date = SpreadsheetDate.render(serial: serial, kind: kind, uses1904Dates: uses1904Dates)
            {
                return date
            }
            return PlainNumber.render(value)
        }
    }
}
