import LedgerDomain

/// One consent event of a contact, with everything a regulator asks to see about it.
public struct ConsentTrailEntry: Hashable, Sendable {
    /// Which consent event it was.
    public enum Action: String, Hashable, Sendable {
        case granted
        case withdrawn
        case confirmationRequested = "confirmation-requested"
        case confirmed
    }

    /// The event's position in the log.
    public var position: UInt64
    /// The stream the event belongs to.
    public var stream: StreamID
    /// When the ledger recorded it, in microseconds since 1970-01-01 UTC.
    public var recordedAt: Int64
    /// When it happened, when the event says it happened before it was recorded (a consent
    /// migrated from another system); nil: when it was recorded.
    public var occurredAt: Int64?
    /// Who recorded it.
    public var actor: Actor
    /// Where it came from.
    public var source: Source
    /// Which consent event it was.
    public var action: Action
    /// The channel and purpose.
    public var scope: ConsentScope
    /// How the consent was given, confirmed or withdrawn.
    public var method: ConsentMethod
    /// The consent wording's version, when the event said.
    public var wordingVersion: String?
    /// The status a grant put the scope in; nil for the other actions.
    public var grantedStatus: ConsentGrantStatus?
    /// Why it was withdrawn, for withdrawals that said.
    public var reason: String?
    /// The confirmation token's id, for requests and confirmations.
    public var tokenID: String?
    /// The IP address, user agent and evidence note; erased when sealed or erased.
    public var evidence: Personal<ConsentEvidence>
}
