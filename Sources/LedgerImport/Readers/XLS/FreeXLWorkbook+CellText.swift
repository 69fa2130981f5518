import CFreeXL
import Foundation

extension FreeXLWorkbook {
    /// The text a spreadsheet shows for a cell of the selected sheet, in the same conventions as
    /// the .xlsx reader: numbers without exponent, dates as ISO 8601.
    func text(row: UInt32, column: UInt16) throws -> String {
        let value = try cell(row: row, column: column)
        // freexl.h, FreeXL_CellValue_str.type: "FREEXL_CELL_TEXT or FREEXL_CELL_SST_TEXT the cell
        // contains a text string (always UTF-8 encoded) - FREEXL_CELL_DATE ... a 'YYYY-MM-DD' string
        // value - FREEXL_CELL_DATETIME ... a 'YYYY-MM-DD HH:MM:SS' string value - FREEXL_CELL_TIME
        // ... a 'HH:MM:SS' string value".
        switch Int32(value.type) {
        case FREEXL_CELL_INT:
            return String(value.value.int_value)
        case FREEXL_CELL_DOUBLE:
            return PlainNumber.render(value.value.double_value)
        case FREEXL_CELL_TEXT, FREEXL_CELL_SST_TEXT, FREEXL_CELL_DATE, FREEXL_CELL_TIME:
            return value.value.text_value.map { String(cString: $0) } ?? ""
        case FREEXL_CELL_DATETIME:
            return value.value.text_value.map { Self.isoDateTime(String(cString: $0)) } ?? ""
        default:
            return ""
        }
    }

    /// `YYYY-MM-DD HH:MM:SS` as the .xlsx reader writes date-times: the date alone at midnight,
    /// otherwise joined with `T`.
    static func isoDateTime(_ text: String) -> String {
        if text.hasSuffix(" 00:00:00") { return String(text.dropLast(9)) }
        return text.replacingOccurrences(of: " ", with: "T")
    }

    /// The name of the workbook's code page, for `TabularSource.encoding`. FreeXL converts every
    /// string to UTF-8 itself; BIFF8 text is UTF-16LE whatever the code page says.
    func encodingName() -> String {
        guard let codePage = try? info(FREEXL_BIFF_CODEPAGE) else { return "UTF-16LE" }
        switch Int32(codePage) {
        case FREEXL_BIFF_UTF16LE: return "UTF-16LE"
        case FREEXL_BIFF_CP1251: return "windows-1251"
        case FREEXL_BIFF_CP1252: return "windows-1252"
        case FREEXL_BIFF_CP866: return "CP866"
        default: return "code page \(codePage)"
        }
    }
}
