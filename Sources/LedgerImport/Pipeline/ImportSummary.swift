/// What an import did, as `ledger import --json` prints it.
public struct ImportSummary: Codable, Sendable {
    /// One refused row.
    public struct Rejection: Codable, Sendable, Hashable {
        /// The row number as a spreadsheet shows it.
        public let row: Int
        /// Why it was refused.
        public let reason: String
    }

    /// The file's name.
    public var file: String
    /// The detected format.
    public var format: String
    /// The detected (or given) encoding.
    public var encoding: String
    /// Data rows read.
    public var rows = 0
    /// Contacts created.
    public var created = 0
    /// Contacts changed.
    public var updated = 0
    /// Rows that changed nothing.
    public var unchanged = 0
    /// Rows refused.
    public var rejected = 0
    /// Rows skipped because an earlier run of the same import already recorded them.
    public var alreadyRecorded = 0
    /// The refusals (the first 1,000; `rejected` counts them all, `--rejects` writes them all).
    public var rejections: [Rejection] = []
    /// Events appended.
    public var events = 0
    /// Wall time.
    public var seconds = 0.0
    /// Whether nothing was written (`--dry-run`).
    public var dryRun = false

    /// The most rejections listed in the summary itself.
    public static let listedRejections = 1_000
}
