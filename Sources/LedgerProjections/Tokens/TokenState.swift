import LedgerDomain

/// One push token as its stream's events leave it: where it came from, what it is now, and
/// which contact it belongs to. Holds no personal value (the endpoint and keys stay sealed in
/// the log); `endpointHash` is the SHA-256 of the endpoint, kept only to find a token by it
/// and dropped when the token is erased.
public struct TokenState: Hashable, Sendable {
    /// The token's stream (category `token`).
    public var stream: StreamID
    /// Browser, iOS or Android.
    public var kind: TokenKind
    /// The previous provider, for a migrated token.
    public var provider: String?
    /// The site origin (web push).
    public var origin: String?
    /// The app (mobile push).
    public var appID: String?
    /// The push service the endpoint is on.
    public var pushService: String
    /// When the browser or app subscribed (µs), when known.
    public var subscribedAt: Int64?
    /// The subscription's expiry (µs), when it has one.
    public var expiresAt: Int64?
    /// The fingerprint of the VAPID public key it was made with.
    public var vapidKey: String?
    /// Why it is unusable, from validation.
    public var problems: [String]
    /// What validation flagged without making it unusable.
    public var flags: [String]
    /// The contact it is a channel of, if any.
    public var contact: StreamID?
    /// The push service's HTTP status when it revoked the token.
    public var revokedStatus: UInt16?
    /// How many times it was refreshed.
    public var refreshes: UInt64
    /// Whether its values were erased.
    public var erased: Bool
    /// SHA-256 of the current endpoint; nil once erased.
    public var endpointHash: [UInt8]?
    /// When its first event was recorded (µs) and at which position.
    public var firstRecordedAt: Int64
    /// The log position of its first event.
    public var firstPosition: UInt64
    /// The log position of its last event.
    public var lastPosition: UInt64

    /// A token as its first event describes it.
    public init(stream: StreamID, subscription: TokenSubscription, provider: String?, endpointHash: [UInt8]?, meta: TokenEventMeta) {
        self.stream = stream
        kind = subscription.kind
        self.provider = provider
        origin = subscription.origin
        appID = subscription.appID
        pushService = subscription.pushService
        subscribedAt = subscription.subscribedAt
        expiresAt = subscription.expiresAt
        vapidKey = subscription.vapidKey
        problems = subscription.problems
        flags = subscription.flags
        contact = nil
        revokedStatus = nil
        refreshes = 0
        erased = false
        self.endpointHash = endpointHash
        firstRecordedAt = meta.recordedAt
        firstPosition = meta.position
        lastPosition = meta.position
    }
}

/// Where and when an event was recorded, for the fold.
public struct TokenEventMeta: Hashable, Sendable {
    /// Its stream.
    public var stream: StreamID
    /// Its log position.
    public var position: UInt64
    /// When it was recorded (µs).
    public var recordedAt: Int64

    /// Describes an event's place.
    public init(stream: StreamID, position: UInt64, recordedAt: Int64) {
        self.stream = stream
        self.position = position
        self.recordedAt = recordedAt
    }
}
