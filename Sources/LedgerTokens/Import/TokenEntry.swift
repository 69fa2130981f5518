import LedgerImport

/// One subscription as an export holds it: its row (or line, or array entry), the values by
/// what they feed, the original fields (for the rejects file), and a problem the reader found.
public struct TokenEntry: Sendable {
    /// The row a person would look for: the CSV row, the NDJSON line, or the array entry from 1.
    public var row: UInt64
    /// The values read, by column.
    public var values: TokenValues
    /// The fields as read, for the rejects file.
    public var raw: [String]
    /// Set when the reader could not read the entry (a malformed line); the entry is refused.
    public var problem: String?
}

/// Reads a token export entry by entry, whatever its format.
protocol TokenEntrySource: AnyObject {
    /// The format read, for the summary (`subscription-json`, `csv`, `onesignal-csv`).
    var format: String { get }
    /// The header of the rejects file.
    var rejectsHeader: [String] { get }
    /// The next entry; nil at the end.
    func next() throws -> TokenEntry?
}

/// A CSV (or .xlsx, .txt) export read through the contact importer's readers, its columns
/// mapped by `TokenColumn.map`.
final class TabularTokenSource: TokenEntrySource {
    let format: String
    private let source: any TabularSource
    private let columns: [TokenColumn]
    var rejectsHeader: [String] { source.header.fields }

    init(_ source: any TabularSource, format: String, overrides: [String: String]) throws {
        self.source = source
        self.format = format
        columns = try TokenColumn.map(header: source.header.fields, overrides: overrides)
    }

    func next() throws -> TokenEntry? {
        guard let row = try source.nextRow() else { return nil }
        var values = TokenValues()
        for (column, field) in zip(columns, row.fields) where column != .ignore {
            let trimmed = Self.trimmed(field)
            if !trimmed.isEmpty { values[column] = trimmed }
        }
        return TokenEntry(row: UInt64(max(row.number, 0)), values: values, raw: row.fields, problem: row.problem?.message)
    }

    /// `text` without leading and trailing spaces, tabs and no-break spaces; the field itself
    /// when it has none (almost always: no copy, unlike Foundation's trimming through NSString).
    static func trimmed(_ text: String) -> String {
        func isSpace(_ character: Character) -> Bool { character == " " || character == "\t" || character == "\u{00A0}" }
        guard let first = text.first, let last = text.last, isSpace(first) || isSpace(last) else { return text }
        return String(text.drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
