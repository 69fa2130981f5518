/// Holds one workbook row (.xlsx or .xls) to the cell and row limits as its cells arrive.
///
/// A cell over `ImportLimits.cellCharacters` is kept cut to the limit; once the row's values
/// pass `ImportLimits.rowBytes`, further cells are left out. Either gives the row a problem
/// naming it (and the column), so the row is rejected while the rest of the sheet is read.
struct WorkbookRowLimits {
    /// The row's number, for the problem's message.
    let row: Int
    /// What the row's cells broke, the first limit only.
    private(set) var problem: RowProblem?
    /// UTF-8 bytes of the values admitted so far.
    private var bytes = 0
    /// Whether the row passed `ImportLimits.rowBytes`: its further cells are left out.
    private var isFull = false

    /// Limits for the row numbered `row`.
    init(row: Int) {
        self.row = row
    }

    /// The text of the cell in zero-based `column` as the row keeps it, cut to the cell limit, or
    /// nil when the row is full and the cell is left out. `isCut` says the reader already dropped
    /// some of the cell's text (or knows it to be over the limit).
    mutating func admit(_ text: String, column: Int, isCut: Bool = false) -> String? {
        guard !isFull else { return nil }
        var text = text
        if isCut || CellTextLimit.isOver(text) {
            text = CellTextLimit.prefix(text)
            if problem == nil { problem = .cellTooLong(row: row, column: column, limit: CellTextLimit.characters) }
        }
        bytes += text.utf8.count
        guard bytes <= ImportLimits.rowBytes else {
            isFull = true
            if problem == nil { problem = .rowTooLong(row: row, limit: ImportLimits.rowBytes) }
            return nil
        }
        return text
    }
}
