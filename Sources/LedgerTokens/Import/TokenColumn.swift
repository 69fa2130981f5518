import Foundation
import LedgerImport

/// What one column (or JSON member) of a token export feeds.
public enum TokenColumn: String, CaseIterable, Hashable, Sendable {
    /// The web-push endpoint URL, or a mobile device token.
    case endpoint
    /// The subscription's `keys.p256dh`.
    case p256dh
    /// The subscription's `keys.auth`.
    case auth
    /// The subscription's `expirationTime` (milliseconds since 1970, or ISO 8601).
    case expirationTime
    /// The subscriber's id in the business's CRM, to link the token to a contact.
    case externalId
    /// The subscriber's e-mail, to link the token to a contact.
    case email
    /// The browser's user agent.
    case userAgent
    /// When the subscription was made (ISO 8601, or seconds or milliseconds since 1970).
    case createdAt
    /// The VAPID public key the subscription was made with, per row.
    case vapidPublicKey
    /// OneSignal's `device_type` number.
    case deviceType
    /// `web`, `ios` or `android` (mobile tokens in a generic file).
    case platform
    /// The mobile app the token belongs to.
    case appID
    /// A column the import does not read.
    case ignore

    /// Headers recognised without `--map`, compared after `ColumnMapping.normalise`
    /// (lowercased, `_` as a space): the names W3C, OneSignal, Altcraft and WonderPush exports use.
    static let recognised: [String: TokenColumn] = {
        var table = [String: TokenColumn]()
        for name in ["endpoint", "push endpoint", "subscription endpoint", "identifier", "token", "push token", "device token",
                     "fcm token", "mobile token", "registration token", "apns token"] { table[name] = .endpoint }
        for name in ["p256dh", "keys.p256dh", "keys p256dh", "web p256", "p256"] { table[name] = .p256dh }
        for name in ["auth", "keys.auth", "keys auth", "web auth", "auth secret"] { table[name] = .auth }
        for name in ["expirationtime", "expiration time", "expiration", "expires at", "expires"] { table[name] = .expirationTime }
        for name in ["external id", "externalid", "external user id", "externaluserid"] { table[name] = .externalId }
        for name in ["email", "e-mail", "e mail"] { table[name] = .email }
        for name in ["user agent", "useragent"] { table[name] = .userAgent }
        for name in ["createdat", "created at", "subscribed at", "subscription time", "created"] { table[name] = .createdAt }
        for name in ["vapid public key", "vapid key", "vapid", "vapidpublickey", "application server key", "applicationserverkey"] {
            table[name] = .vapidPublicKey
        }
        for name in ["device type", "devicetype"] { table[name] = .deviceType }
        for name in ["platform", "os"] { table[name] = .platform }
        for name in ["app id", "appid"] { table[name] = .appID }
        return table
    }()

    /// The column a `--map` target names (`endpoint`, `p256dh`, `external-id`, `ignore`, …).
    static func named(_ target: String) -> TokenColumn? {
        let key = ColumnMapping.normalise(target).replacingOccurrences(of: "-", with: " ")
        if key == "ignore" || key == "skip" { return .ignore }
        return recognised[key] ?? allCases.first { ColumnMapping.normalise($0.rawValue) == key.replacingOccurrences(of: " ", with: "") }
    }

    /// Maps a header: `overrides` (header → target) first, then the recognised names; every
    /// other column is ignored. Two columns feeding one value, or an override naming a column
    /// the header lacks or a target that does not exist, are refused.
    static func map(header: [String], overrides: [String: String]) throws -> [TokenColumn] {
        let normalisedOverrides = Dictionary(overrides.map { (ColumnMapping.normalise($0.key), $0.value) }, uniquingKeysWith: { _, last in last })
        var columns = [TokenColumn]()
        for name in header {
            let key = ColumnMapping.normalise(name)
            if let target = normalisedOverrides[key] {
                guard let column = named(target) else {
                    throw TokenImportError(.mapping, "--map names \"\(target)\", which is not a token field (endpoint, p256dh, auth, expiration-time, external-id, email, user-agent, created-at, vapid-public-key, platform, app-id, ignore)")
                }
                columns.append(column)
            } else {
                columns.append(recognised[key] ?? .ignore)
            }
        }
        let known = Set(header.map(ColumnMapping.normalise))
        for column in normalisedOverrides.keys where !known.contains(column) {
            throw TokenImportError(.mapping, "--map names a column \"\(column)\" that the file's header does not have")
        }
        var seen = Set<TokenColumn>()
        for column in columns where column != .ignore {
            guard seen.insert(column).inserted else {
                throw TokenImportError(.mapping, "two columns map to \(column.rawValue); use --map \"Column=ignore\" for one of them")
            }
        }
        guard seen.contains(.endpoint) else {
            throw TokenImportError(.mapping, "no column holds the endpoint or device token (a header such as endpoint, identifier or push_token); name it with --map \"Column=endpoint\"")
        }
        return columns
    }
}

extension TokenColumn {
    /// The case's place in the declaration, for hashing (the standard library hashes an enum
    /// with raw values by its raw string, `RawRepresentable`'s default) and for `TokenValues`'
    /// slots.
    var ordinal: Int {
        switch self {
        case .endpoint: 0
        case .p256dh: 1
        case .auth: 2
        case .expirationTime: 3
        case .externalId: 4
        case .email: 5
        case .userAgent: 6
        case .createdAt: 7
        case .vapidPublicKey: 8
        case .deviceType: 9
        case .platform: 10
        case .appID: 11
        case .ignore: 12
        }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(ordinal)
    }

    public static func == (left: TokenColumn, right: TokenColumn) -> Bool {
        left.ordinal == right.ordinal
    }
}
