/// Limits that make a hostile .xlsx (a ZIP bomb) fail fast and clearly instead of exhausting memory
/// or spending minutes inflating.
public struct ArchiveLimits: Sendable, Equatable {
    /// Product limits: parts up to 2 GiB unpacked, and no more than 100:1 compression on parts over 10 MiB.
    ///
    /// A 300 MB workbook's sheet XML unpacks to roughly 1–2 GB at the 10–20:1 ratios spreadsheet XML
    /// really reaches; 100:1 on a large part only happens with filler built to inflate.
    public static let standard = ArchiveLimits(
        maxPartBytes: 2 * 1024 * 1024 * 1024, maxCompressionRatio: 100, ratioCheckMinimumBytes: 10 * 1024 * 1024)

    /// The largest unpacked size of any part (sheet, shared strings, styles...).
    public var maxPartBytes: UInt64
    /// The largest unpacked-to-packed ratio allowed for parts bigger than `ratioCheckMinimumBytes`.
    public var maxCompressionRatio: UInt64
    /// Parts at most this big unpacked are exempt from the ratio rule (tiny XML compresses very well).
    public var ratioCheckMinimumBytes: UInt64

    /// Creates limits.
    public init(maxPartBytes: UInt64, maxCompressionRatio: UInt64, ratioCheckMinimumBytes: UInt64) {
        self.maxPartBytes = maxPartBytes
        self.maxCompressionRatio = maxCompressionRatio
        self.ratioCheckMinimumBytes = ratioCheckMinimumBytes
    }
}
