import LedgerDomain

/// The widest import the importer takes, checked before anything is written.
///
/// Each row's changes get ids of their own (`EventID.derived(namespace:row:change:)`): one
/// `field.defined` per new column, one `segment.member-added` per segment, and a few more.
/// These limits keep a row's changes far below what the ids tell apart, and are documented in
/// docs/operations.md.
public enum ImportLimits {
    /// Columns in a file's header: Excel's own limit (column XFD).
    public static let columns = 16_384
    /// Static segments (`--segment`) one import adds its contacts to.
    public static let segments = 100
    /// Rows of a workbook sheet, numbered 1 to this: the largest row number the .xlsx format
    /// has (`r` is an `xsd:unsignedInt`, ECMA-376 Part 1, 18.3.1.73). Excel itself shows only
    /// 1,048,576 rows, but programs write longer sheets, and the event ids tell apart far more
    /// rows (`EventID.sourceRowLimit`); a wrapped or negative number is still refused.
    public static let spreadsheetRows = Int(UInt32.max)
    /// Characters (UTF-16 units, as Excel counts them) in one workbook cell: Excel's own limit, so
    /// a cell Excel wrote is never over it. A longer cell makes its row rejected.
    public static let cellCharacters = 32_767
    /// UTF-8 bytes of the values of one workbook row, like the 1 MiB a CSV record may have
    /// (`ReadOptions.maxRecordBytes`). A longer row is rejected.
    public static let rowBytes = 1 << 20
    /// Entries in an .xlsx's shared-strings table (16,777,216: sixteen distinct values in each
    /// of a full sheet's rows). More makes the file unreadable.
    public static let sharedStrings = 1 << 24
    /// UTF-8 bytes of text in an .xlsx's shared-strings table, which is held in memory (512 MiB).
    /// More makes the file unreadable.
    public static let sharedStringBytes = 512 << 20

    /// Throws when `options` ask for more than the importer takes.
    public static func check(_ options: ImportOptions) throws(ImportLimitError) {
        try check(segmentCount: options.segments.count)
    }

    /// Throws when an import is asked to add its contacts to `segmentCount` segments, more than it takes.
    public static func check(segmentCount: Int) throws(ImportLimitError) {
        guard segmentCount <= segments else {
            throw ImportLimitError(
                message: "\(segmentCount) segments were given; an import adds its contacts to at most "
                    + "\(segments) — import with fewer --segment options and add the rest with a second import")
        }
    }

    /// Throws when the header of `file` has more columns than the importer takes.
    static func check(header: [String], file: String) throws(ImportFileError) {
        guard header.count <= columns else {
            throw ImportFileError(
                .tooManyColumns, file: file, row: nil,
                reason: "the header has \(header.count) columns; an import reads at most \(columns) "
                    + "(as Excel does) — delete the columns not needed or split the file")
        }
    }
}

/// An import refused because it asks for more than `ImportLimits` allow.
public struct ImportLimitError: Error, Sendable, CustomStringConvertible {
    /// What is over which limit, and what to do.
    public let message: String
    public var description: String { message }
}

