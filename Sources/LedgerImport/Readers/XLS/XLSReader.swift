import Foundation

/// Reads an Excel 97–2003 (.xls, BIFF8) contact file through FreeXL.
///
/// FreeXL parses the whole workbook when it opens it; that is bounded, because the format itself
/// stops at 65,536 rows and 256 columns. Row numbers are the sheet's own; rows without values are
/// skipped; rows are fitted to the header like .xlsx rows. A cell or row over the limits of a
/// workbook cell and row (`ImportLimits.cellCharacters`, `rowBytes`) makes its row rejected, as
/// in .xlsx: a BIFF8 string may hold up to 65,535 characters, twice what Excel lets a cell show.
public final class XLSReader: TabularSource {
    /// Always `.xls`.
    public let format = FileFormat.xls
    /// The workbook's code page name; values are converted to UTF-8 by FreeXL.
    public let encoding: String
    /// The names of all sheets, in workbook order.
    public let sheetNames: [String]
    /// The name of the sheet being read.
    public let sheetName: String
    /// The first row of the sheet that has a value.
    public private(set) var header: Row

    private let workbook: FreeXLWorkbook
    private let lastRow: UInt32
    private let lastColumn: UInt16
    private var nextRowIndex: UInt32 = 0
    private var shape = SpreadsheetRowShape(headerWidth: 0)

    /// Rows of the sheet gone through, of its row count.
    public var progress: ReadProgress {
        ReadProgress(consumed: Int64(nextRowIndex), total: Int64(lastRow))
    }

    init(url: URL, options: ReadOptions) throws {
        workbook = try FreeXLWorkbook(url: url)
        encoding = workbook.encodingName()
        sheetNames = try workbook.sheetNames()
        guard sheetNames.indices.contains(options.sheet - 1) else {
            throw ImportFileError(
                .sheetNotFound, file: workbook.fileName,
                reason: "sheet \(options.sheet) was requested but the workbook has \(sheetNames.count)")
        }
        sheetName = sheetNames[options.sheet - 1]
        (lastRow, lastColumn) = try workbook.select(sheet: options.sheet - 1)
        header = Row(number: 0, fields: [])
        guard let first = try nextNonEmptyRow() else {
            throw ImportFileError(
                .empty, file: workbook.fileName, reason: "sheet \(ValuePreview.quoted(sheetName)) has no rows, not even a header")
        }
        if let problem = first.problem {
            throw ImportFileError(.invalidWorkbook, file: workbook.fileName, reason: "the header row: " + problem.message)
        }
        header = first
        shape = SpreadsheetRowShape(headerWidth: first.fields.count)
    }

    /// The next row with a value after the header, or nil at the end of the sheet.
    public func nextRow() throws -> Row? {
        try nextNonEmptyRow().map(shape.apply)
    }

    private func nextNonEmptyRow() throws -> Row? {
        // freexl.h, freexl_worksheet_dimensions: "Worksheet dimensions are zero based ... This is to
        // support C style looping." FreeXL 1.0.6 in fact returns the row and column counts, so the
        // loops below stop before them.
        while nextRowIndex < lastRow {
            let index = nextRowIndex
            nextRowIndex += 1
            let number = Int(index) + 1
            var fields: [String] = []
            var limits = WorkbookRowLimits(row: number)
            for column in 0..<lastColumn {
                let text = try workbook.text(row: index, column: column)
                guard !text.isEmpty else { continue }
                guard let kept = limits.admit(text, column: Int(column)) else { break }
                fields.append(contentsOf: repeatElement("", count: Int(column) - fields.count))
                fields.append(kept)
            }
            if !fields.isEmpty { return Row(number: number, fields: fields, problem: limits.problem) }
        }
        return nil
    }
}
