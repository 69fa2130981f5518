/// How far an import has got, as `ContactImporter.run` reports it after each batch.
public struct ImportProgress: Sendable, Equatable {
    /// Data rows done (recorded, refused, or skipped as already recorded).
    public var rows: Int
    /// How much of the file those rows took up.
    public var read: ReadProgress

    /// Describes progress.
    public init(rows: Int, read: ReadProgress) {
        self.rows = rows
        self.read = read
    }
}
