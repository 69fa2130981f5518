import LedgerDomain

/// A contact's current consent for one scope, and the event that set it.
public struct ConsentRecord: Hashable, Sendable {
    /// Where the contact stands; see `ConsentStatus` for how events move it.
    public var status: ConsentStatus
    /// When the scope entered this status, in microseconds since 1970-01-01 UTC: when the event
    /// that set it happened (its `occurredAt`, for consent migrated from another system), else
    /// when it was recorded. `EventMeta.unplacedTime` in a state folded ahead of its append,
    /// until it is placed (`ContactState.placed`).
    public var since: Int64
    /// How the consent was given, confirmed or withdrawn by the event that set the status.
    public var method: ConsentMethod
    /// The consent wording's version under that event, when it said.
    public var wordingVersion: String?
    /// The log position of the event that set the status, to find the proof again.
    public var position: UInt64
    /// Where the person acted from in that event; nil when unknown or erased. Personal.
    public var evidence: ConsentEvidence?
    /// A confirmation requested and still awaited, if any.
    public var pending: PendingConfirmation?

    /// Describes a consent record.
    public init(
        status: ConsentStatus,
        since: Int64,
        method: ConsentMethod,
        wordingVersion: String?,
        position: UInt64,
        evidence: ConsentEvidence? = nil,
        pending: PendingConfirmation? = nil
    ) {
        self.status = status
        self.since = since
        self.method = method
        self.wordingVersion = wordingVersion
        self.position = position
        self.evidence = evidence
        self.pending = pending
    }
}

extension ConsentRecord {
    /// The record of a state folded ahead of its append, placed (`ContactState.placed`): its
    /// position counted from `firstPosition`, and times the events did not state set to
    /// `recordedAt`.
    func placed(recordedAt: Int64, firstPosition: UInt64) -> ConsentRecord {
        var placed = self
        placed.position += firstPosition
        if since == EventMeta.unplacedTime { placed.since = recordedAt }
        if let pending, pending.requestedAt == EventMeta.unplacedTime {
            placed.pending = PendingConfirmation(tokenID: pending.tokenID, requestedAt: recordedAt)
        }
        return placed
    }
}
