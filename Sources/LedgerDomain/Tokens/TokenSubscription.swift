/// What one push subscription is, as recorded when it arrives (migrated, subscribed or
/// refreshed): the facts anyone may read, and the token's values (`secret`), which are personal.
///
/// `problems` and `flags` are what validation found when it was recorded (`TokenCheck` in
/// LedgerTokens): a problem makes the token invalid, a flag is worth knowing but does not.
public struct TokenSubscription: Hashable, Sendable {
    /// Browser, iOS or Android.
    public var kind: TokenKind
    /// The site origin the subscription was made on (web push), e.g. `https://shop.example`.
    public var origin: String?
    /// The app the token belongs to (mobile push).
    public var appID: String?
    /// Which push service the endpoint is on: `fcm`, `mozilla`, `windows`, `apple`, `apns`, …
    public var pushService: String
    /// When the browser or app subscribed, in microseconds since 1970, when known.
    public var subscribedAt: Int64?
    /// The subscription's `expirationTime`, in microseconds since 1970, when it has one.
    public var expiresAt: Int64?
    /// The fingerprint of the VAPID public key the subscription was made with, when known.
    public var vapidKey: String?
    /// Reason codes that make the token unusable (`p256dh-not-on-curve`, …).
    public var problems: [String]
    /// Reason codes worth knowing that do not (`unknown-push-service`, `legacy-endpoint`).
    public var flags: [String]
    /// The token's values; erased once its key is destroyed.
    public var secret: Personal<TokenSecret>

    /// Describes a subscription.
    public init(
        kind: TokenKind, origin: String? = nil, appID: String? = nil, pushService: String,
        subscribedAt: Int64? = nil, expiresAt: Int64? = nil, vapidKey: String? = nil,
        problems: [String] = [], flags: [String] = [], secret: Personal<TokenSecret>
    ) {
        self.kind = kind
        self.origin = origin
        self.appID = appID
        self.pushService = pushService
        self.subscribedAt = subscribedAt
        self.expiresAt = expiresAt
        self.vapidKey = vapidKey
        self.problems = problems
        self.flags = flags
        self.secret = secret
    }

    func encode(into payload: inout PayloadWriter) {
        payload.data.writeCode(kind)
        payload.data.writeOptionalString(origin)
        payload.data.writeOptionalString(appID)
        payload.data.writeString(pushService)
        payload.data.writeOptionalTime(subscribedAt)
        payload.data.writeOptionalTime(expiresAt)
        payload.data.writeOptionalString(vapidKey)
        payload.data.writeStrings(problems)
        payload.data.writeStrings(flags)
        payload.writePersonal(secret) { $1.write(into: &$0) }
    }

    static func decodeV1(_ payload: inout PayloadReader) throws(PayloadError) -> TokenSubscription {
        let facts = try payload.readData { reader in
            (kind: try reader.readCode("token kind") as TokenKind,
             origin: try reader.readOptionalString("origin"),
             appID: try reader.readOptionalString("app id"),
             pushService: try reader.readString("push service"),
             subscribedAt: try reader.readOptionalTime("subscribed at"),
             expiresAt: try reader.readOptionalTime("expires at"),
             vapidKey: try reader.readOptionalString("vapid key"),
             problems: try reader.readStrings("problem"),
             flags: try reader.readStrings("flag"))
        }
        let secret = try payload.readPersonal { try TokenSecret.read(from: &$0) }
        return TokenSubscription(
            kind: facts.kind, origin: facts.origin, appID: facts.appID, pushService: facts.pushService,
            subscribedAt: facts.subscribedAt, expiresAt: facts.expiresAt, vapidKey: facts.vapidKey,
            problems: facts.problems, flags: facts.flags, secret: secret)
    }

    var jsonObject: [String: JSONValue] {
        var object: [String: JSONValue] = [
            "kind": .string(kind.label),
            "pushService": .string(pushService),
            "problems": .array(problems.map(JSONValue.string)),
            "flags": .array(flags.map(JSONValue.string)),
            "token": secret.json { .object($0.jsonObject) },
        ]
        if let origin { object["origin"] = .string(origin) }
        if let appID { object["appId"] = .string(appID) }
        if let subscribedAt { object["subscribedAt"] = .string(Timestamp.iso8601(microseconds: subscribedAt)) }
        if let expiresAt { object["expiresAt"] = .string(Timestamp.iso8601(microseconds: expiresAt)) }
        if let vapidKey { object["vapidKey"] = .string(vapidKey) }
        return object
    }
}

extension BinaryWriter {
    /// Writes a presence byte and, when there is one, a time in microseconds.
    mutating func writeOptionalTime(_ time: Int64?) {
        writeBool(time != nil)
        if let time { writeSignedVarint(time) }
    }

    /// Writes a count and the strings.
    mutating func writeStrings(_ strings: [String]) {
        writeVarint(UInt64(strings.count))
        for string in strings { writeString(string) }
    }
}

extension BinaryReader {
    /// Reads what `writeOptionalTime` wrote.
    mutating func readOptionalTime(_ what: StaticString) throws(BinaryFormatError) -> Int64? {
        try readBool(what) ? try readSignedVarint(what) : nil
    }

    /// Reads what `writeStrings` wrote.
    mutating func readStrings(_ what: StaticString) throws(BinaryFormatError) -> [String] {
        let count = try readVarint(what)
        guard count <= 64 else { throw BinaryFormatError(offset: offset, what: "more than 64 of \(what)") }
        return try (0..<count).map { _ throws(BinaryFormatError) in try readString(what) }
    }
}
