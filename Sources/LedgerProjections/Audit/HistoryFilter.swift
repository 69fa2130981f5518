import LedgerDomain

/// Which events and changes a history shows; every condition left nil admits everything.
public struct HistoryFilter: Hashable, Sendable {
    /// Only changes of this field or identifier kind (`firstName`, `email`, a custom name).
    public var field: String?
    /// Only events recorded at or after this time, in microseconds since 1970-01-01 UTC.
    public var since: Int64?
    /// Only events recorded at or before this time, in microseconds since 1970-01-01 UTC.
    public var until: Int64?
    /// Only events made by these actors.
    public var actor: ActorPattern?

    /// Describes a filter.
    public init(field: String? = nil, since: Int64? = nil, until: Int64? = nil, actor: ActorPattern? = nil) {
        self.field = field
        self.since = since
        self.until = until
        self.actor = actor
    }

    /// Whether the envelope of `event` passes the time and actor conditions.
    public func admits(_ event: RecordedEvent) -> Bool {
        if let since, event.recordedAt < since { return false }
        if let until, event.recordedAt > until { return false }
        if let actor, !actor.matches(event.actor) { return false }
        return true
    }
}
