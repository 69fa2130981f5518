import LedgerDomain

/// One event of a contact's history: where and when it was recorded, who made it, where it
/// came from, and what it changed.
public struct HistoryEntry: Hashable, Sendable {
    /// The event's position in the log.
    public var position: UInt64
    /// The stream the event belongs to.
    public var stream: StreamID
    /// The event's version within its stream.
    public var version: UInt64
    /// When the ledger recorded it, in microseconds since 1970-01-01 UTC.
    public var recordedAt: Int64
    /// The event's type tag and version.
    public var type: EventType
    /// Who made the change.
    public var actor: Actor
    /// Where the change came from.
    public var source: Source
    /// What it changed; several for a `contact.fields-changed` of several fields.
    public var changes: [HistoryChange]

    /// Describes an entry.
    public init(position: UInt64, stream: StreamID, version: UInt64, recordedAt: Int64, type: EventType, actor: Actor, source: Source, changes: [HistoryChange]) {
        self.position = position
        self.stream = stream
        self.version = version
        self.recordedAt = recordedAt
        self.type = type
        self.actor = actor
        self.source = source
        self.changes = changes
    }

    /// The envelope parts of `event`, with `changes`.
    init(_ event: RecordedEvent, changes: [HistoryChange]) {
        self.init(
            position: event.position, stream: event.stream, version: event.version, recordedAt: event.recordedAt,
            type: event.type, actor: event.actor, source: event.source, changes: changes
        )
    }
}
