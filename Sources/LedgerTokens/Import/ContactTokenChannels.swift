import LedgerDomain
import LedgerImport
import LedgerProjections
import LedgerStore

/// The token side of `ledger import` (issues 18 and 20): a contact row's mobile token or
/// web-push subscription is checked as `ledger tokens import` checks it (`TokenCheck`), and
/// recorded as a token of its own linked to the row's contact (`token.migrated`, then
/// `token.linked`), through the token book.
///
/// Unlike the token import, a row whose token is unusable is refused with the reason: the
/// contact import refuses bad values, and a contact's channel that cannot be reached is one.
public final class ContactTokenChannels: ContactPushChannels {
    /// The token book written through.
    public let book: TokenBook
    /// The platform of every mobile token, unless a column names it (`--push-platform`).
    public let platform: TokenKind?
    /// The app of every mobile token, unless a column names it (`--app-id`).
    public let appID: String?
    /// The site origin of web-push subscriptions (`--origin`), normalised.
    public let origin: String?
    /// The provider recorded on each token.
    public let provider: String

    /// Records through `book`; `origin` is normalised (`TokenCheck.origin`) and refused when it
    /// is not an https origin.
    public init(book: TokenBook, platform: TokenKind? = nil, appID: String? = nil, origin: String? = nil, provider: String = "import") throws {
        self.book = book
        self.platform = platform
        self.appID = appID
        do {
            self.origin = try origin.map { try TokenCheck.origin($0) }
        } catch {
            throw TokenError(.invalidValue, "--origin: \(error)")
        }
        self.provider = provider
    }

    public var fingerprint: String {
        guard platform != nil || appID != nil || origin != nil else { return "" }
        return [platform?.label ?? "", appID ?? "", origin ?? ""].joined(separator: "\u{1F}")
    }

    public func check(columns: Set<PushColumn>) throws(PushCellRefusal) {
        if columns.contains(.endpoint), origin == nil {
            throw PushCellRefusal("the file has web-push subscriptions (a webpush endpoint column): give the site they were made on with --origin https://shop.example")
        }
        if columns.contains(.mobileToken), platform == nil, !columns.contains(.platform) {
            throw PushCellRefusal("the file has mobile push tokens but no platform column: give it with --push-platform ios|android")
        }
    }

    public func tokens(_ cells: PushCells) throws(PushCellRefusal) -> [TokenSubscription] {
        var tokens = [TokenSubscription]()
        if let token = cells[.mobileToken] {
            let kind = try mobileKind(cells[.platform])
            let checked: TokenCheck.WebResult
            do {
                checked = try TokenCheck.mobile(kind: kind, token: token)
            } catch {
                throw PushCellRefusal("mobile token: \(error.message)")
            }
            guard checked.problems.isEmpty else { throw PushCellRefusal("mobile token: " + Self.describe(checked.problems)) }
            tokens.append(TokenSubscription(
                kind: kind, appID: cells[.appID] ?? appID, pushService: checked.pushService, flags: checked.flags,
                secret: .known(TokenSecret(endpoint: token))))
        }
        if let endpoint = cells[.endpoint] {
            let checked: TokenCheck.WebResult
            do {
                checked = try TokenCheck.web(endpoint: endpoint, p256dh: cells[.p256dh], auth: cells[.auth])
            } catch {
                throw PushCellRefusal("web push: \(error.message)")
            }
            guard checked.problems.isEmpty else { throw PushCellRefusal("web push: " + Self.describe(checked.problems)) }
            tokens.append(TokenSubscription(
                kind: .web, origin: origin, pushService: checked.pushService, flags: checked.flags,
                secret: .known(TokenSecret(endpoint: endpoint, p256dh: cells[.p256dh], auth: cells[.auth]))))
        } else if cells[.p256dh] != nil || cells[.auth] != nil {
            throw PushCellRefusal("web push: keys without an endpoint")
        }
        return tokens
    }

    public func record(_ tokens: [LinkedPushToken], file: String, digest: FileDigest, namespace: UInt64, actor: Actor, progress: ProgressMark) throws -> PushRecordCounts {
        var counts = PushRecordCounts()
        let directory = try book.directory()
        let hashes = tokens.map { TokenProjection.endpointHash($0.subscription.secret.value?.endpoint ?? "") }
        let known = try directory.known(endpointHashes: hashes)
        var requests = [AppendRequest]()
        var seen = Set<[UInt8]>()
        // A row's tokens are numbered in the row: two events each (migrated, linked).
        var previousRow: UInt64?
        var inRow = 0
        let cipher = PayloadCipher()
        for (index, token) in tokens.enumerated() {
            inRow = token.row == previousRow ? inRow + 1 : 0
            previousRow = token.row
            guard !known[index], seen.insert(hashes[index]).inserted else {
                counts.alreadyKnown += 1
                continue
            }
            let ids = EventID.sourceRow(namespace: namespace, row: token.row)
            let first = inRow * 2
            let migrated = TokenEvent.migrated(TokenMigrated(provider: provider, batch: digest, row: token.row, subscription: token.subscription))
            requests.append(try TokenBook.newTokenRequest(
                migrated, contact: token.contact, actor: actor, source: .file(name: file, sha256: digest, row: token.row),
                ids: { ids(first + $0) }, cipher: cipher))
            counts.recorded += 1
        }
        _ = try book.ledger.append(requests, progress: progress)
        try book.runner.catchUp(store: book.store)
        return counts
    }

    /// The platform of a mobile token: its column's (`ios`, `apns`, `android`, `fcm`, or
    /// OneSignal's `device_type` 0 and 1), else `--push-platform`.
    private func mobileKind(_ cell: String?) throws(PushCellRefusal) -> TokenKind {
        guard let cell else {
            guard let platform else { throw PushCellRefusal("mobile token: no platform (a platform column or --push-platform ios|android)") }
            return platform
        }
        switch cell.lowercased() {
        case "ios", "apns", "iphone", "ipad", "0": return .ios
        case "android", "fcm", "1": return .android
        default: throw PushCellRefusal("platform \(ValueText.quoted(cell)) is not ios or android")
        }
    }

    /// The reasons validation found, as a sentence.
    static func describe(_ problems: [String]) -> String {
        problems.map { reasons[$0].map { "\($0)" } ?? $0 }.joined(separator: "; ")
    }

    private static let reasons: [String: String] = [
        "apns-token-wrong-length": "an APNs device token is 64 hexadecimal characters (apns-token-wrong-length)",
        "apns-token-not-hex": "an APNs device token is 64 hexadecimal characters (apns-token-not-hex)",
        "fcm-token-bad-character": "an FCM registration token has only A-Z, a-z, 0-9, -, _ and : (fcm-token-bad-character)",
        "fcm-token-too-short": "an FCM registration token is at least 100 characters (fcm-token-too-short)",
        "fcm-token-too-long": "an FCM registration token is at most 4,096 characters (fcm-token-too-long)",
        "endpoint-not-https": "the endpoint is not https (endpoint-not-https)",
        "p256dh-missing": "no p256dh key (p256dh-missing)",
        "p256dh-not-base64url": "the p256dh key is not base64url (p256dh-not-base64url)",
        "p256dh-wrong-length": "the p256dh key is not 65 bytes (p256dh-wrong-length)",
        "p256dh-not-uncompressed": "the p256dh key is not an uncompressed point (p256dh-not-uncompressed)",
        "p256dh-not-on-curve": "the p256dh key is not a point on P-256 (p256dh-not-on-curve)",
        "auth-missing": "no auth secret (auth-missing)",
        "auth-not-base64url": "the auth secret is not base64url (auth-not-base64url)",
        "auth-wrong-length": "the auth secret is not 16 bytes (auth-wrong-length)",
    ]
}
