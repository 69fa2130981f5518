import LedgerDomain
import LedgerTokens

/// A push token sent through the API (a contact's `webpush` or `mobilepush` channel, or a
/// subscription from our own service worker), checked as `ledger tokens import` checks a row
/// (`TokenCheck`), before anything is written.
///
/// Unlike the import, which records a token it finds unusable so that the migration's report
/// counts it, the API refuses one (422 naming the field and the reason): a client that sends
/// a broken subscription now can fix it now. Flags (`unknown-push-service`, …) are recorded.
struct PushTokenDraft: Sendable {
    /// Browser, iOS or Android.
    var kind: TokenKind
    /// The values that reach the device.
    var secret: TokenSecret
    /// Which push service it is on.
    var pushService: String
    /// What is worth knowing about it.
    var flags: [String]
    /// The subscription's `expirationTime`, in microseconds since 1970.
    var expiresAt: Int64?
    /// The app (mobile push).
    var appID: String?
    /// The site origin the request named (web push); nil: decided when it is written.
    var origin: String?
    /// The fingerprint of the VAPID public key the request named; nil: decided when written.
    var vapidKey: String?

    /// The subscription recorded, with the origin and VAPID key decided.
    func subscription(origin: String?, vapidKey: String?, now: Int64) -> TokenSubscription {
        TokenSubscription(
            kind: kind, origin: kind == .web ? origin : nil, appID: appID, pushService: pushService, subscribedAt: now,
            expiresAt: expiresAt, vapidKey: kind == .web ? vapidKey : nil, problems: [], flags: flags, secret: .known(secret))
    }

    /// Reads a `PushSubscriptionJSON` (`{endpoint, expirationTime, keys: {p256dh, auth}}`) at
    /// `path`; problems go into `reader` with their paths, and nil comes back when there were any.
    static func web(_ value: JSONValue, at path: String, reader: inout BodyReader, now: Int64) -> PushTokenDraft? {
        let before = reader.problems.count
        guard let members = reader.object(value, at: path, allowed: ["endpoint", "expirationTime", "keys"]) else { return nil }
        let endpointPath = BodyReader.join(path, "endpoint")
        let endpoint = reader.string(members, "endpoint", at: path, maxLength: 2048)
        if endpoint == nil, members["endpoint"] == nil || members["endpoint"] == .null { reader.fail(endpointPath, "is required") }
        var p256dh: String?
        var auth: String?
        let keysPath = BodyReader.join(path, "keys")
        if let keys = members["keys"], keys != .null {
            if let pair = reader.object(keys, at: keysPath, allowed: ["p256dh", "auth"]) {
                p256dh = reader.string(pair, "p256dh", at: keysPath, maxLength: 256)
                auth = reader.string(pair, "auth", at: keysPath, maxLength: 256)
            }
        }
        var expiresAt: Int64?
        switch members["expirationTime"] {
        case nil, .null?: break
        case .number(let milliseconds)? where milliseconds.isFinite && milliseconds >= 0 && milliseconds < 1e15:
            expiresAt = Int64(milliseconds) * 1000
            if let expiresAt, expiresAt <= now { reader.fail(BodyReader.join(path, "expirationTime"), "is in the past: the subscription has expired") }
        case .number?:
            reader.fail(BodyReader.join(path, "expirationTime"), "must be milliseconds since 1970, or null")
        default:
            reader.misshapen(BodyReader.join(path, "expirationTime"), "must be a number or null")
        }
        guard let endpoint, reader.problems.count == before else { return nil }
        let checked: TokenCheck.WebResult
        do {
            checked = try TokenCheck.web(endpoint: endpoint, p256dh: p256dh, auth: auth)
        } catch {
            reader.fail(endpointPath, error.message)
            return nil
        }
        for problem in checked.problems {
            let at = problem.hasPrefix("p256dh") ? BodyReader.join(keysPath, "p256dh") : problem.hasPrefix("auth") ? BodyReader.join(keysPath, "auth") : endpointPath
            reader.fail(at, "is refused: \(problem)")
        }
        guard checked.problems.isEmpty else { return nil }
        return PushTokenDraft(
            kind: .web, secret: TokenSecret(endpoint: endpoint, p256dh: p256dh, auth: auth), pushService: checked.pushService,
            flags: checked.flags, expiresAt: expiresAt)
    }

    /// A `mobilepush` channel: the device token in `value`, and Reteno's `device` object
    /// (`appId`, `os`, `deviceModel`, `locale`, `clientVersion`, `appVersion`, `active`). The
    /// platform is `device.os` (`ios` or `android`), else what the token looks like (64 hex
    /// digits: APNs). Nil with the problems in `reader`, or nil without any for a device marked
    /// `active: false` (nothing is recorded for it).
    static func mobile(token: String, device: JSONValue?, at path: String, reader: inout BodyReader) -> PushTokenDraft? {
        let before = reader.problems.count
        let valuePath = BodyReader.join(path, "value")
        let devicePath = BodyReader.join(path, "device")
        var os: String?
        var appID: String?
        var active = true
        if let device, device != .null,
           let members = reader.object(device, at: devicePath, allowed: ["appId", "os", "deviceModel", "locale", "clientVersion", "appVersion", "active"]) {
            appID = reader.string(members, "appId", at: devicePath, maxLength: 256)
            os = reader.string(members, "os", at: devicePath, maxLength: 64)
            for name in ["deviceModel", "locale", "clientVersion", "appVersion"] { _ = reader.string(members, name, at: devicePath, maxLength: 256) }
            switch members["active"] {
            case nil, .null?: break
            case .bool(let flag)?: active = flag
            default: reader.misshapen(BodyReader.join(devicePath, "active"), "must be true or false")
            }
        }
        let kind: TokenKind
        switch os?.lowercased() {
        case "ios", "ipados", "apns": kind = .ios
        case "android", "fcm": kind = .android
        case nil: kind = token.utf8.count == 64 && token.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x46).contains($0) || (0x61...0x66).contains($0) }) ? .ios : .android
        case .some:
            reader.fail(BodyReader.join(devicePath, "os"), "must be ios or android")
            return nil
        }
        guard reader.problems.count == before else { return nil }
        guard active else { return nil }
        let checked: TokenCheck.WebResult
        do {
            checked = try TokenCheck.mobile(kind: kind, token: token)
        } catch {
            reader.fail(valuePath, error.message)
            return nil
        }
        for problem in checked.problems { reader.fail(valuePath, "is refused: \(problem)") }
        guard checked.problems.isEmpty else { return nil }
        return PushTokenDraft(kind: kind, secret: TokenSecret(endpoint: token), pushService: checked.pushService, flags: checked.flags, appID: appID)
    }
}
