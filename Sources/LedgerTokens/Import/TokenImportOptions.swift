import LedgerDomain
import LedgerImport

/// What a token import was asked to do; everything but `dryRun`, `batchSize` and the actor is
/// part of the import's identity (its progress mark and event ids), as for contact imports.
public struct TokenImportOptions: Sendable {
    /// How to read a file.
    public enum Format: String, CaseIterable, Sendable {
        /// Detected from the content.
        case auto
        /// `PushSubscriptionJSON`, an array or NDJSON.
        case json
        /// A generic CSV (`endpoint,p256dh,auth,…`).
        case csv
        /// OneSignal's player CSV export.
        case onesignal
    }

    /// How to find the contact a token belongs to.
    public enum Match: String, CaseIterable, Sendable {
        /// By the `externalId` column.
        case externalID = "external-id"
        /// By the `email` column.
        case email
    }

    /// The previous provider, as recorded on each token.
    public var provider: String
    /// The site origin (normalised by `TokenCheck.origin`).
    public var origin: String
    /// The fingerprint of `--vapid-public-key`, for rows that do not name their own.
    public var vapidKey: String?
    /// How tokens are linked to contacts; nil: they stay anonymous.
    public var match: Match?
    /// The format; `.auto` detects it.
    public var format: Format
    /// Header → token field overrides (`--map`).
    public var overrides: [String: String]
    /// The app of mobile tokens, unless a column names it.
    public var appID: String?
    /// Validate and count without writing.
    public var dryRun: Bool
    /// Rows per transaction.
    public var batchSize: Int
    /// Who is importing.
    public var actor: Actor
    /// How the file is read (size limit, encoding, delimiter).
    public var read: ReadOptions
    /// Now (µs since 1970), for the summary's count of expired tokens.
    public var now: Int64

    /// Describes an import.
    public init(
        provider: String, origin: String, vapidKey: String? = nil, match: Match? = nil, format: Format = .auto,
        overrides: [String: String] = [:], appID: String? = nil, dryRun: Bool = false, batchSize: Int = 5_000,
        actor: Actor, read: ReadOptions = ReadOptions(), now: Int64
    ) {
        self.provider = provider
        self.origin = origin
        self.vapidKey = vapidKey
        self.match = match
        self.format = format
        self.overrides = overrides
        self.appID = appID
        self.dryRun = dryRun
        self.batchSize = batchSize
        self.actor = actor
        self.read = read
        self.now = now
    }

    /// The options that make an import a different one (docs/decisions/0007, item 4).
    var fingerprint: String {
        let map = overrides.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\u{1F}")
        return ["tokens-v1", provider, origin, vapidKey ?? "", match?.rawValue ?? "", format.rawValue, appID ?? "", map].joined(separator: "\u{1E}")
    }
}
