/// How far a source has got through its input, for progress bars and ETAs.
///
/// The unit depends on the format, so only `fraction` is comparable across sources: file bytes
/// for delimited text, uncompressed bytes of the sheet's XML part for .xlsx (the part is what is
/// streamed; its size is declared in the archive), rows for .xls (FreeXL has read the whole
/// workbook when it opens it).
public struct ReadProgress: Sendable, Equatable {
    /// Units consumed so far.
    public var consumed: Int64
    /// Units in the whole input; 0 when unknown.
    public var total: Int64

    /// Describes progress through an input of `total` units.
    public init(consumed: Int64, total: Int64) {
        self.consumed = consumed
        self.total = total
    }

    /// `consumed / total` clamped to 0...1, or nil when the total is unknown.
    public var fraction: Double? {
        guard total > 0 else { return nil }
        return min(1, max(0, Double(consumed) / Double(total)))
    }
}
