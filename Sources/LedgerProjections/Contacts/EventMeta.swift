import LedgerDomain

/// The parts of a recorded event's envelope a projection needs besides the payload.
///
/// Kept apart from `RecordedEvent` so folds can be run (and tested) without stored records.
public struct EventMeta: Hashable, Sendable {
    /// The event's global position in the log.
    public var position: UInt64
    /// The stream the event belongs to.
    public var stream: StreamID
    /// When the ledger recorded it, in microseconds since 1970-01-01 UTC.
    public var recordedAt: Int64

    /// Describes an event's place and time.
    public init(position: UInt64, stream: StreamID, recordedAt: Int64) {
        self.position = position
        self.stream = stream
        self.recordedAt = recordedAt
    }

    /// The time a state folded ahead of its append (a new contact prepared by a bulk writer)
    /// gives the events it has not recorded yet: no real time is this early, so placing the
    /// state (`ContactState.placed`) knows which times to replace.
    public static let unplacedTime = Int64.min

    /// The place of a contact's `index`-th event (from 0) folded ahead of its append: position
    /// `index`, to which placing adds the position before its first event; stream 0; time
    /// `unplacedTime`.
    public static func unplaced(_ index: Int) -> EventMeta {
        EventMeta(position: UInt64(index), stream: StreamID(0), recordedAt: unplacedTime)
    }

    /// Takes the place and time of a recorded event.
    public init(_ event: RecordedEvent) {
        self.init(position: event.position, stream: event.stream, recordedAt: event.recordedAt)
    }
}
