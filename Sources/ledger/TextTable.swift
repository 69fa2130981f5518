/// Rows of text in aligned columns under a header, for the audit commands' terminal output.
///
/// Columns are as wide as their widest cell (counted in characters) plus two spaces; the
/// last column is not padded, so no line ends in spaces. Cells are escaped as
/// `TerminalText` says, line breaks included, so a value cannot break or forge a row.
struct TextTable {
    /// The column titles.
    let header: [String]
    /// The rows, each with a cell per column.
    private(set) var rows: [[String]] = []

    /// A table with these column titles.
    init(_ header: [String]) {
        self.header = header
    }

    /// Adds a row; missing cells are empty.
    mutating func add(_ cells: [String]) {
        rows.append(cells.map { TerminalText.escaped($0) } + Array(repeating: "", count: max(0, header.count - cells.count)))
    }

    /// The table as lines joined by line feeds (no final one, as `Output.line` adds it).
    var text: String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        var lines = [String]()
        for row in all {
            var line = ""
            for (column, cell) in row.enumerated() {
                if column == row.count - 1 {
                    line += cell
                } else {
                    line += cell + String(repeating: " ", count: widths[column] - cell.count + 2)
                }
            }
            while line.last == " " { line.removeLast() }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
