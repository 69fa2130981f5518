import LedgerDomain
import LedgerIdentity
import LedgerImport
import Synchronization

/// An entry made into the token it describes, or the reason it is not one.
struct TokenDraft: Sendable {
    /// The entry's row.
    var row: UInt64
    /// The subscription with what validation found.
    var subscription: TokenSubscription
    /// How to find its contact: (kind, normalised value); nil when the import does not match
    /// or the entry has no value to match by.
    var matchKey: (IdentifierKind, String)?

    /// Whether it is unusable.
    var invalid: Bool { !subscription.problems.isEmpty }
}

/// Why an entry is not a token: refused (a fault of the row) or skipped (a row of another kind,
/// such as OneSignal's e-mail and SMS records).
struct TokenRowRefusal: Error {
    var reason: String
    var skipped: Bool
}

/// Turns entries into drafts by the import's options: one place for the per-row rules. Safe to
/// use from several threads (the importer drafts a batch on every core).
struct TokenDraftMaker: Sendable {
    let options: TokenImportOptions
    let oneSignal: Bool
    /// Per-row VAPID keys already fingerprinted (a file names a handful).
    private let fingerprints = FingerprintCache()

    init(options: TokenImportOptions, oneSignal: Bool) {
        self.options = options
        self.oneSignal = oneSignal
    }

    func draft(_ entry: TokenEntry) throws(TokenRowRefusal) -> TokenDraft {
        if let problem = entry.problem { throw TokenRowRefusal(reason: problem, skipped: false) }
        let values = entry.values
        let kind = try self.kind(values)
        guard let endpoint = values[.endpoint] else {
            throw TokenRowRefusal(reason: kind == .web ? "no endpoint" : "no device token", skipped: false)
        }
        let checked: TokenCheck.WebResult
        do {
            checked = kind == .web
                ? try TokenCheck.web(endpoint: endpoint, p256dh: values[.p256dh], auth: values[.auth])
                : try TokenCheck.mobile(kind: kind, token: endpoint)
        } catch {
            throw TokenRowRefusal(reason: error.message, skipped: false)
        }
        let problems = checked.problems
        var flags = checked.flags
        var vapidKey: String?
        if kind == .web {
            if let key = values[.vapidPublicKey] {
                vapidKey = fingerprints.fingerprint(of: key)
                if vapidKey == nil { flags.append("vapid-key-malformed") }
            } else {
                vapidKey = options.vapidKey
            }
        }
        let expiresAt = try time(values[.expirationTime], column: "expirationTime")
        let createdAt = try time(values[.createdAt], column: "createdAt")
        var userAgent = values[.userAgent]
        if let agent = userAgent, agent.count > 1000 { userAgent = String(agent.prefix(1000)) }
        let secret = TokenSecret(
            endpoint: endpoint, p256dh: kind == .web ? values[.p256dh] : nil, auth: kind == .web ? values[.auth] : nil, userAgent: userAgent)
        let subscription = TokenSubscription(
            kind: kind, origin: kind == .web ? options.origin : nil, appID: kind == .web ? nil : values[.appID] ?? options.appID,
            pushService: checked.pushService, subscribedAt: createdAt, expiresAt: expiresAt, vapidKey: vapidKey,
            problems: problems, flags: flags, secret: .known(secret))
        return TokenDraft(row: entry.row, subscription: subscription, matchKey: matchKey(values))
    }

    /// The token's kind: OneSignal's `device_type` (0 iOS, 1 Android, 5 Chrome, 17 Safari 16+,
    /// 8 Firefox; 7 legacy Safari, 11 e-mail and 14 SMS are skipped with the reason), else a
    /// `platform` column, else web.
    private func kind(_ values: TokenValues) throws(TokenRowRefusal) -> TokenKind {
        if oneSignal {
            switch values[.deviceType] {
            case "0": return .ios
            case "1": return .android
            case "5", "8", "17": return .web
            case "7":
                throw TokenRowRefusal(
                    reason: "a legacy Safari push token (device_type 7, APNs website push), which web push cannot reach; the browser must subscribe again",
                    skipped: true)
            case "11": throw TokenRowRefusal(reason: "an e-mail record (device_type 11), not a push token", skipped: true)
            case "14": throw TokenRowRefusal(reason: "an SMS record (device_type 14), not a push token", skipped: true)
            case nil: throw TokenRowRefusal(reason: "no device_type", skipped: false)
            case let other?:
                throw TokenRowRefusal(reason: "device_type \(ValueText.quoted(other)) is not a push platform this import reads (0, 1, 5, 8, 17)", skipped: true)
            }
        }
        switch values[.platform]?.lowercased() {
        case nil, "web", "webpush", "browser": return .web
        case "ios", "apns": return .ios
        case "android", "fcm": return .android
        case let other?: throw TokenRowRefusal(reason: "platform \(ValueText.quoted(other)) is not web, ios or android", skipped: false)
        }
    }

    /// A time column: milliseconds since 1970 (as `expirationTime` is), seconds when the number
    /// is too small to be milliseconds, or ISO 8601; nil when empty.
    private func time(_ text: String?, column: String) throws(TokenRowRefusal) -> Int64? {
        guard let text, !text.isEmpty, text != "null" else { return nil }
        if let number = Double(text), number.isFinite, number >= 0, number < 1e15 {
            let whole = Int64(number)
            return whole >= 100_000_000_000 ? whole * 1000 : whole * 1_000_000
        }
        if let micros = Timestamp.parse(text) { return micros }
        throw TokenRowRefusal(reason: "\(column) is neither a time in ISO 8601 nor milliseconds since 1970", skipped: false)
    }

    private func matchKey(_ values: TokenValues) -> (IdentifierKind, String)? {
        switch options.match {
        case nil: return nil
        case .externalID: return values[.externalId].map { (.externalId, $0) }
        case .email:
            guard let text = values[.email], let address = try? EmailAddress(validating: text) else { return nil }
            return (.email, address.value)
        }
    }
}

/// VAPID public keys already fingerprinted, shared by the threads drafting one import.
final class FingerprintCache: Sendable {
    private let known = Mutex<[String: String?]>([:])

    /// The key's fingerprint; nil when it is not a P-256 public key.
    func fingerprint(of key: String) -> String? {
        if let found = known.withLock({ $0[key] }) { return found }
        let computed = try? VapidKeyPair.fingerprint(ofPublicKey: key)
        known.withLock { $0[key] = .some(computed) }
        return computed
    }
}
