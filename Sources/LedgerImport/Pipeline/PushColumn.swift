import LedgerDomain
import LedgerStore

/// What a push column of a contact file holds (issues 18 and 20): a mobile app's device token
/// with its platform and app, or a browser's web-push subscription. A row's tokens become
/// push channels of the row's contact, recorded through the token family
/// (`ContactPushChannels`).
public enum PushColumn: String, Hashable, Sendable, CaseIterable {
    /// An APNs device token or an FCM registration token.
    case mobileToken = "mobile-token"
    /// `ios` or `android` (OneSignal's `device_type` 0 and 1 too).
    case platform = "push-platform"
    /// The mobile app the token belongs to.
    case appID = "app-id"
    /// A web-push subscription's endpoint URL.
    case endpoint = "webpush-endpoint"
    /// Its `keys.p256dh`.
    case p256dh = "webpush-p256dh"
    /// Its `keys.auth`.
    case auth = "webpush-auth"

    /// Header spellings (after `ColumnMapping.normalise`) of exports that carry push tokens
    /// with contacts: Reteno's and OneSignal's, and the plain English names. Words that name
    /// other things in many files (`endpoint`, `auth`, `os`) are left to `--map`; and the
    /// columns that only describe a token (platform, app, keys) are read as push columns only
    /// in a file that has a token column (`ColumnMapping`).
    static let headers: [PushColumn: [String]] = [
        .mobileToken: ["mobile token", "mobile push token", "mobilepush", "mobile push", "device token", "push token", "fcm token",
                       "apns token", "registration token", "push id", "pushtoken", "devicetoken"],
        .platform: ["platform", "push platform", "device type", "devicetype", "device os"],
        .appID: ["app id", "appid", "application id", "bundle id"],
        .endpoint: ["webpush endpoint", "web push endpoint", "webpush", "push endpoint", "subscription endpoint"],
        .p256dh: ["webpush p256dh", "web push p256dh", "p256dh", "keys.p256dh", "keys p256dh", "web p256"],
        .auth: ["webpush auth", "web push auth", "keys.auth", "keys auth", "web auth", "auth secret"],
    ]
}

/// The push cells of one row, trimmed; an empty cell is nil.
public struct PushCells: Sendable, Hashable {
    /// The value of each push column the file has.
    public var values: [PushColumn: String] = [:]

    /// No cells.
    public init() {}

    /// The value of `column`, nil when the row leaves it empty or the file has no such column.
    public subscript(_ column: PushColumn) -> String? {
        get { values[column] }
        set { values[column] = newValue }
    }

    /// Whether the row carries no push value at all.
    public var isEmpty: Bool { values.isEmpty }
}

/// Why a row's push cells cannot be recorded: a sentence naming the column, never the value
/// beyond its start (`ValuePreview`).
public struct PushCellRefusal: Error, Sendable {
    /// The sentence.
    public let reason: String

    /// Makes a refusal.
    public init(_ reason: String) {
        self.reason = reason
    }
}

/// A row's push token, checked, for the contact its row was recorded to.
public struct LinkedPushToken: Sendable {
    /// The contact.
    public let contact: StreamID
    /// The row the token came from (its event ids and source derive from it).
    public let row: UInt64
    /// The subscription as the checks found it.
    public let subscription: TokenSubscription

    /// Describes a token.
    public init(contact: StreamID, row: UInt64, subscription: TokenSubscription) {
        self.contact = contact
        self.row = row
        self.subscription = subscription
    }
}

/// What the push tokens of one batch of rows came to.
public struct PushRecordCounts: Sendable, Hashable {
    /// Tokens recorded and linked to their contacts.
    public var recorded = 0
    /// Tokens whose endpoint or device token the ledger held already (left as they are).
    public var alreadyKnown = 0

    /// Nothing.
    public init() {}
}

/// The token side of a contact import, given to `ContactImporter` by a module that records
/// tokens (LedgerTokens' `ContactTokenChannels`): it checks push cells as `ledger tokens
/// import` checks them, and records a batch's tokens linked to their contacts. The contact
/// importer decides which contact each row went to; the token family does the rest.
public protocol ContactPushChannels: Sendable {
    /// Refuses, before any row is read, push columns that cannot be read without an option
    /// (web-push columns without an origin, a mobile token without a platform).
    func check(columns: Set<PushColumn>) throws(PushCellRefusal)

    /// The tokens a row's push cells describe (a mobile token, a web-push subscription, or
    /// both), checked; a value the checks refuse or find unusable is a refusal naming the
    /// column and what is wrong. Called from the import's preparing thread.
    func tokens(_ cells: PushCells) throws(PushCellRefusal) -> [TokenSubscription]

    /// Records `tokens` (each a new token stream with `token.migrated` and `token.linked`) in
    /// one durable transaction with `progress`; tokens whose endpoint the ledger holds already
    /// are left as they are. Event ids derive from `namespace` and each token's row.
    func record(_ tokens: [LinkedPushToken], file: String, digest: FileDigest, namespace: UInt64, actor: Actor, progress: ProgressMark) throws -> PushRecordCounts

    /// What the options that shape the tokens say, for the import's fingerprint (a re-run with
    /// another platform or origin is another import).
    var fingerprint: String { get }
}

extension [TokenSubscription] {
    /// The consent channels these tokens are addresses on.
    var consentChannels: [ConsentChannel] {
        var channels = [ConsentChannel]()
        if contains(where: { $0.kind == .web }) { channels.append(.webpush) }
        if contains(where: { $0.kind != .web }) { channels.append(.mobilepush) }
        return channels
    }
}
