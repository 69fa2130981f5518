/// Choices a caller can make about how a contact file is read; the defaults detect everything.
public struct ReadOptions: Sendable {
    /// The field delimiter of a text file, or nil to detect it from the first lines.
    public var delimiter: Delimiter?
    /// The text encoding by iconv name (`KOI8-U`, `CP866`, ...), or nil to detect UTF-8/UTF-16/windows-1251.
    public var encoding: String?
    /// Which sheet of a workbook to read, counting from 1 in tab order.
    public var sheet: Int
    /// Files larger than this are refused before reading.
    public var sizeLimit: FileSizeLimit
    /// ZIP-bomb limits for .xlsx archives.
    public var archiveLimits: ArchiveLimits
    /// The longest CSV record accepted; longer ones almost always mean a quote that is never closed.
    public var maxRecordBytes: Int

    /// Creates options; every parameter has the detecting, product-limit default.
    public init(
        delimiter: Delimiter? = nil, encoding: String? = nil, sheet: Int = 1,
        sizeLimit: FileSizeLimit = .standard, archiveLimits: ArchiveLimits = .standard,
        maxRecordBytes: Int = 1024 * 1024
    ) {
        self.delimiter = delimiter
        self.encoding = encoding
        self.sheet = sheet
        self.sizeLimit = sizeLimit
        self.archiveLimits = archiveLimits
        self.maxRecordBytes = maxRecordBytes
    }
}
