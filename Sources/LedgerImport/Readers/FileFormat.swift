/// The kinds of contact file the importer reads, told apart by content rather than by name.
public enum FileFormat: String, Sendable, CaseIterable {
    /// Delimited text: .csv or .txt separated by `;`, `,` or tab.
    case delimitedText = "text"
    /// Excel 97–2003 workbook (BIFF8 in an OLE2 compound file).
    case xls
    /// Excel 2007+ workbook (Office Open XML in a ZIP archive).
    case xlsx
}
