/// A double opt-in confirmation that was requested and not yet confirmed or withdrawn.
public struct PendingConfirmation: Hashable, Sendable {
    /// The confirmation token's id (never its secret), as `consent.confirmed` will repeat it.
    public var tokenID: String
    /// When the request was recorded, in microseconds since 1970-01-01 UTC.
    public var requestedAt: Int64

    /// Describes a pending confirmation.
    public init(tokenID: String, requestedAt: Int64) {
        self.tokenID = tokenID
        self.requestedAt = requestedAt
    }
}
