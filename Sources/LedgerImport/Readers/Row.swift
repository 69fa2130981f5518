/// One row of a contact table, numbered as a spreadsheet shows it.
///
/// For delimited text the number is the record's index counting from 1 (the header record), so a
/// quoted field spanning several lines still occupies one number and blank lines take none. For
/// workbooks it is the sheet's own row number.
public struct Row: Sendable, Equatable {
    /// The row number a person would look for (header is usually 1, first data row 2).
    public let number: Int
    /// The cell values in column order, exactly as read (not trimmed, not padded for text files).
    public let fields: [String]
    /// Set when the row cannot be trusted as is (wrong field count, undecodable bytes); the caller
    /// turns it into a rejection that names `number`.
    public let problem: RowProblem?

    /// Creates a row; readers use this, tests too.
    public init(number: Int, fields: [String], problem: RowProblem? = nil) {
        self.number = number
        self.fields = fields
        self.problem = problem
    }
}
