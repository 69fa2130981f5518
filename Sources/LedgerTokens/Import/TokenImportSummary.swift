/// What a token import did, for the CLI's text and `--json`.
public struct TokenImportSummary: Encodable, Sendable {
    /// The file's name.
    public var file: String
    /// The format read.
    public var format = ""
    /// Whether it was gzip-compressed.
    public var compressed = false
    /// The file's SHA-256, the batch every token records.
    public var sha256 = ""
    /// Entries read (rows, lines or array entries), including those already recorded.
    public var rows = 0
    /// Tokens recorded by this run.
    public var recorded = 0
    /// Entries a run before recorded already (skipped by the progress mark).
    public var alreadyRecorded = 0
    /// Tokens whose endpoint the ledger held already (another file, or an API subscription).
    public var alreadyKnown = 0
    /// Entries refused, with a reason in the rejects file.
    public var rejected = 0
    /// Entries of another kind (OneSignal's e-mail and SMS records), skipped with a reason.
    public var skipped = 0
    /// Tokens recorded as invalid (what validation found makes them unusable).
    public var invalid = 0
    /// Tokens recorded with a flag (`unknown-push-service`, `legacy-endpoint`, …).
    public var flagged = 0
    /// Tokens linked to a contact.
    public var linked = 0
    /// Tokens whose match value found no contact (recorded anonymous).
    public var unmatched = 0
    /// Tokens recorded by kind (`web`, `ios`, `android`).
    public var byKind: [String: Int] = [:]
    /// Whether nothing was written.
    public var dryRun = false
    /// Wall-clock seconds.
    public var seconds = 0.0
    /// The first refused or skipped entries (at most 20), each with its row and reason.
    public var rejections: [Rejection] = []

    /// A refused or skipped entry.
    public struct Rejection: Encodable, Sendable {
        /// Its row (line, entry).
        public var row: UInt64
        /// Why.
        public var reason: String
    }

    /// Makes an empty summary for `file`.
    public init(file: String) {
        self.file = file
    }
}
