import LedgerDomain
import LedgerIdentity

/// How `ledger import` reads a file and records its contacts.
public struct ImportOptions: Sendable {
    /// Which identifier finds an existing contact.
    public var match: MatchRule = .emailOrPhone
    /// Region for phone numbers written without a country code.
    public var defaultRegion = ""
    /// Column header → field overrides.
    public var mappings: [String: String] = [:]
    /// Static segments every imported contact joins.
    public var segments: [String] = []
    /// Let empty cells clear existing values.
    public var overwriteEmpty = false
    /// Create contacts that match none.
    public var create = true
    /// How to read the file (encoding, delimiter, sheet).
    public var read = ReadOptions()
    /// Day-first (`d/m/Y`) or month-first (`m/d/Y`) for dates written with slashes.
    public var dayFirst = true
    /// The consent every row that states none is given on each channel it carries
    /// (`--consent`): confirmed by default, as Reteno treats contacts imported from a file;
    /// nil records none.
    public var consent: ConsentGrantStatus? = .confirmed
    /// The list or purpose the consent is for (`--purpose`).
    public var purpose = defaultPurpose
    /// The purpose when none is named.
    public static let defaultPurpose = "marketing"
    /// Who is importing.
    public var actor = Actor(.user, "import")
    /// Validate and report without writing.
    public var dryRun = false
    /// Rows per transaction. Four batches are alive at once (one being read, one waiting, one
    /// being planned, one being appended and projected): at 5,000 rows a 2.5 M-row import
    /// peaked at 308 MiB, at 3,000 at 274 MiB (docs/benchmarks.md). Since a new contact is one
    /// event (decision 0026) and the mapped pages are watched from the importing thread
    /// (`MappedPageGuard`), 6,000 rows peak at 266 MiB and take 4 % less time than 3,000 (the
    /// projection's commits, which rewrite its index pages, half as often; session 14).
    public static let defaultBatchSize = 6_000
    /// Rows per transaction.
    public var batchSize = defaultBatchSize
    /// Rows per transaction while a server runs on the store (`ledger serve` holds
    /// `serving.lock` shared): each transaction holds LMDB's write lock, which the server's
    /// commits wait for, a sixth as long; the import commits six times as often (decision
    /// 0020, addenda on pipelined commits and write turns). Measured in session 14
    /// (docs/benchmarks.md): 1,000 rows gave a request p99 of 52 ms beside an import, 500 gave
    /// 45 ms. Well above `ContactBook.foldableGap` (200 events), so that the server leaves the
    /// import's batches to the import.
    public static let besideServerBatchSize = 500
    /// The lock file (`NAME.lock` in the store) a running server holds shared.
    public static let servingLockName = "serving"
    /// The resident memory past which the import releases the store's mapped pages
    /// (`MappedPageBudget`, `--memory-limit`): more lets the index pages stay mapped longer.
    public var memoryLimit: Int64 = MappedPageBudget.defaultLimit

    /// The defaults.
    public init() {}

    /// Everything that changes what a row records, so a re-run with other options is a
    /// different import (its own progress and event ids).
    var fingerprint: String {
        [match.cliSpelling, defaultRegion, mappings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","),
         segments.joined(separator: ","), "\(overwriteEmpty)", "\(create)", "\(dayFirst)", "\(read.sheet)", read.encoding ?? "", read.delimiter.map { "\($0)" } ?? ""]
            .joined(separator: "|") + consentFingerprint
    }

    /// The consent options, as part of the fingerprint: empty when no consent is stated, so that
    /// an import without it keeps the ids and progress an import made before consent was.
    private var consentFingerprint: String {
        guard consent != nil || purpose != Self.defaultPurpose else { return "" }
        return "|consent=\(consent?.label ?? "none")|purpose=\(purpose)"
    }
}
