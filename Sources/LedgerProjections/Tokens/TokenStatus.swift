import LedgerDomain

/// Whether a token can be used now, and why not.
public enum TokenStatus: String, CaseIterable, Hashable, Sendable {
    /// Every condition holds: we hold its VAPID private key, we serve its origin, it is valid,
    /// not expired and not revoked.
    case deliverable
    /// Valid, but only reachable from the previous provider's setup: its VAPID key is one we do
    /// not hold, or its origin is not one we serve. The browser must subscribe again with us.
    case needsResubscribe = "needs-resubscribe"
    /// It cannot be used at all: malformed, expired, revoked or erased.
    case invalid

    /// The word used in text, JSON and `--status`.
    public var label: String { rawValue }
}

/// What `TokenState.status` needs besides the token: the VAPID keys we hold and the origins
/// we serve with them, and the time now.
public struct TokenStatusContext: Sendable {
    /// Fingerprints of the VAPID key pairs whose private key we hold.
    public var vapidKeys: Set<String>
    /// The origins we serve (every origin a VAPID key was added for).
    public var origins: Set<String>
    /// Now, in microseconds since 1970.
    public var now: Int64

    /// Describes the context.
    public init(vapidKeys: Set<String>, origins: Set<String>, now: Int64) {
        self.vapidKeys = vapidKeys
        self.origins = origins
        self.now = now
    }
}

extension TokenState {
    /// The token's status with its reasons, in a fixed order: what makes it invalid first
    /// (`erased`, `revoked`, validation problems, `expired`), else what calls for a new
    /// subscription (`unknown-vapid-key`, `other-origin`).
    public func status(in context: TokenStatusContext) -> (status: TokenStatus, reasons: [String]) {
        var invalid = [String]()
        if erased { invalid.append("erased") }
        if revokedStatus != nil { invalid.append("revoked") }
        invalid += problems
        if let expiresAt, expiresAt <= context.now { invalid.append("expired") }
        if !invalid.isEmpty { return (.invalid, invalid) }
        guard kind == .web else { return (.deliverable, []) }
        var resubscribe = [String]()
        if vapidKey.map({ !context.vapidKeys.contains($0) }) ?? true { resubscribe.append("unknown-vapid-key") }
        if origin.map({ !context.origins.contains($0) }) ?? true { resubscribe.append("other-origin") }
        return resubscribe.isEmpty ? (.deliverable, []) : (.needsResubscribe, resubscribe)
    }
}
