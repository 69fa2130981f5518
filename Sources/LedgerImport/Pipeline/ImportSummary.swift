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
    /// Rows refused because their bytes are not valid in the file's encoding (counted in `rejected` too).
    public var undecodableRows = 0
    /// Sentences about the import as a whole that the user should read, such as rows lost to a mixed encoding.
    public var warnings: [String] = []
    /// Events appended.
    public var events = 0
    /// Wall time.
    public var seconds = 0.0
    /// Whether nothing was written (`--dry-run`).
    public var dryRun = false

    /// The most rejections listed in the summary itself.
    public static let listedRejections = 1_000

    /// The warning for `rows` rows refused as not valid `encoding`: usually a file saved as UTF-8
    /// with a few rows pasted from a program that wrote another encoding.
    static func undecodableWarning(rows: Int, encoding: String) -> String {
        "\(rows) \(rows == 1 ? "row was" : "rows were") not valid \(encoding) and "
            + "\(rows == 1 ? "was" : "were") rejected; fix \(rows == 1 ? "it" : "them") in the file "
            + "(or save the whole file as \(encoding)) and import it again"
    }
}
