/// Fits workbook rows to the header's width.
///
/// A spreadsheet has no notion of a row's length: trailing empty cells are simply absent from the
/// file. So a shorter row is padded with empty strings (nothing is invented), while a value to the
/// right of the last header column is reported as a problem, since it belongs to no column.
struct SpreadsheetRowShape {
    /// Columns up to and including the header's last non-empty cell.
    let headerWidth: Int

    /// `row` padded to the header's width, or unchanged with a problem when it is wider (a
    /// problem it has already is kept).
    func apply(_ row: Row) -> Row {
        let width = row.fields.count
        if width > headerWidth, row.problem == nil {
            return Row(
                number: row.number, fields: row.fields,
                problem: .valuesBeyondHeader(row: row.number, columns: width, expected: headerWidth))
        }
        guard width < headerWidth else { return row }
        return Row(
            number: row.number, fields: row.fields + repeatElement("", count: headerWidth - width), problem: row.problem)
    }
}
