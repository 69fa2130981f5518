import CFreeXL
import Foundation

/// The one owner of a FreeXL handle: opens, queries and closes it. Only this file and its
/// extensions touch the C API, and the handle never leaves this object.
final class FreeXLWorkbook {
    /// A FreeXL result code other than FREEXL_OK, kept as the `cause` of import errors.
    struct Status: Error, Sendable, CustomStringConvertible {
        let code: Int32
        var description: String { "FreeXL error \(code)" }
    }

    private let handle: UnsafeRawPointer
    let fileName: String

    init(url: URL) throws {
        fileName = url.lastPathComponent
        var opened: UnsafeRawPointer?
        // freexl.h, freexl_open: "You are expected to freexl_close() even on failure, so as to
        // correctly release any dynamic memory allocation."
        let status = url.withUnsafeFileSystemRepresentation { path in
            path.map { freexl_open($0, &opened) } ?? FREEXL_FILE_NOT_FOUND
        }
        guard status == FREEXL_OK, let opened else {
            if let opened { freexl_close(opened) }
            throw Self.openError(status, file: fileName)
        }
        handle = opened
        // freexl.h, FREEXL_BIFF_PASSWORD: "returning FREEXL_BIFF_OBFUSCATED or FREEXL_BIFF_PLAIN".
        // Like FreeXL's own examples, anything but PLAIN counts as protected: cells of an
        // obfuscated workbook are not readable.
        if (try? info(FREEXL_BIFF_PASSWORD)) != UInt32(FREEXL_BIFF_PLAIN) {
            throw ImportFileError(
                .encrypted, file: fileName,
                reason: "the workbook is password-protected; remove the password in Excel "
                    + "(File › Info › Protect Workbook) and save it again")
        }
    }

    deinit {
        // freexl.h, freexl_close: "After calling freexl_close() any related resource will be
        // released, and the handle will no longer be valid."
        freexl_close(handle)
    }

    /// A workbook property (one of the FREEXL_* info selectors).
    func info(_ what: Int32) throws -> UInt32 {
        var value: UInt32 = 0
        // freexl.h, freexl_get_info: "FREEXL_UNKNOWN will be returned in info if the information
        // is not available, not appropriate or not supported for the file type."
        let status = freexl_get_info(handle, UInt16(what), &value)
        guard status == FREEXL_OK else { throw Status(code: status) }
        return value
    }

    /// The names of the worksheets in workbook order.
    func sheetNames() throws -> [String] {
        let count = try info(FREEXL_BIFF_SHEET_COUNT)
        return try (0..<count).map { index in
            var name: UnsafePointer<CChar>?
            let status = freexl_get_worksheet_name(handle, UInt16(index), &name)
            guard status == FREEXL_OK else { throw failure(status, "its sheet list cannot be read") }
            return name.map { String(cString: $0) } ?? ""
        }
    }

    /// Makes sheet `index` (zero-based) the one cells are read from, and returns its last row and
    /// column indexes.
    func select(sheet index: Int) throws -> (rows: UInt32, columns: UInt16) {
        // freexl.h, freexl_select_active_worksheet: "Within a FreeXL handle, only one worksheet can
        // be active at a time. Functions that fetch data are implictly working on the selected worksheet."
        let status = freexl_select_active_worksheet(handle, UInt16(index))
        guard status == FREEXL_OK else { throw failure(status, "sheet \(index + 1) cannot be opened") }
        var rows: UInt32 = 0
        var columns: UInt16 = 0
        let dimensions = freexl_worksheet_dimensions(handle, &rows, &columns)
        guard dimensions == FREEXL_OK else { throw failure(dimensions, "the size of sheet \(index + 1) cannot be read") }
        return (rows, columns)
    }

    /// The raw value of a cell of the selected sheet (zero-based row and column).
    func cell(row: UInt32, column: UInt16) throws -> FreeXL_CellValue {
        var value = FreeXL_CellValue()
        let status = freexl_get_cell_value(handle, row, column, &value)
        guard status == FREEXL_OK else {
            throw failure(status, "cell \(SpreadsheetText.columnLetters(Int(column)))\(row + 1) cannot be read")
        }
        return value
    }

    private func failure(_ status: Int32, _ what: String) -> ImportFileError {
        ImportFileError(
            .invalidWorkbook, file: fileName,
            reason: "the .xls workbook is damaged: \(what); save it again from Excel", cause: Status(code: status))
    }

    private static func openError(_ status: Int32, file: String) -> ImportFileError {
        switch status {
        case FREEXL_FILE_NOT_FOUND:
            return ImportFileError(.unreadable, file: file, reason: "the file cannot be opened", cause: Status(code: status))
        case FREEXL_BIFF_WORKBOOK_NOT_FOUND:
            // Office stores password-encrypted .xlsx files in the same OLE2 container as .xls.
            return ImportFileError(
                .encrypted, file: file,
                reason: "the file has no Excel 97–2003 workbook inside; it is most likely a "
                    + "password-protected workbook — remove the password in Excel and save it again",
                cause: Status(code: status))
        default:
            return ImportFileError(
                .invalidWorkbook, file: file,
                reason: "the file starts like an Excel 97–2003 workbook (.xls) but cannot be read as one; "
                    + "it may be damaged — open it in Excel and save it as .xlsx",
                cause: Status(code: status))
        }
    }
}
