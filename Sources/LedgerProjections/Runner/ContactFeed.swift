import LedgerDomain
import LedgerStore

/// What the contact fold hands a downstream projector for one contact event: the contact's
/// stream, its state before and after the event, and the event with its place, time and
/// envelope (actor, source). Consumed in the contact projection's own write transaction, behind
/// its checkpoint, so a downstream projector sees contact state at exactly its own position.
///
/// A class: the feed builds, stores and walks one per event, and each copy of a struct holding
/// two states, the event and the record retained and released some twenty-five references.
public final class ContactChange: Sendable {
    /// The contact's stream.
    public let stream: StreamID
    /// The state before the event (nil: the contact had none).
    public let before: ContactState?
    /// The state after it.
    public let after: ContactState?
    /// The event.
    public let event: ContactEvent
    /// Its place and time.
    public let meta: EventMeta
    /// The recorded event, for its envelope (actor, source).
    public let recorded: RecordedEvent

    init(stream: StreamID, before: ContactState?, after: ContactState?, event: ContactEvent, meta: EventMeta, recorded: RecordedEvent) {
        self.stream = stream
        self.before = before
        self.after = after
        self.event = event
        self.meta = meta
        self.recorded = recorded
    }
}

/// One step of the feed, in log order: a contact's change, or an event of another family
/// (a downstream projector's own events, such as a segment's rule).
public enum ContactFeedItem: Sendable {
    /// A contact event and what it did.
    case change(ContactChange)
    /// An event of another family, decoded when this build knows its family.
    case other(RecordedEvent, LedgerEvent)
}

/// A projector downstream of the contact fold: it keeps tables in the contact projection's
/// store and folds the feed into them in the same transaction.
///
/// Dormant until it says otherwise (`isActive`): while dormant the contact projection hands it
/// nothing and pays one read per transaction, and a bulk writer's `record` proceeds as before.
/// An event of a family it claims (`claims`) wakes it, with the log to read what came before.
public protocol ContactFeedConsumer: Sendable {
    /// Its tables, kept in the contact projection's store.
    var tables: [String] { get }
    /// Whether it folds the feed (one read in the transaction).
    func isActive(in transaction: ProjectionTransaction, store: ProjectionStore) throws -> Bool
    /// The position of the log's first event that wakes it, nil when none does: a rebuild
    /// folds the log before it in parallel, as if it were not there, and feeds it from there.
    func wakingPosition(in ledger: Ledger) throws -> UInt64?
    /// Whether an event of this family wakes it.
    func claims(_ family: EventFamily) -> Bool
    /// Wakes it before `position`: it builds what it keeps from the log's events before it
    /// (read from `ledger`) and the contact states in the store, then is active.
    func activate(before position: UInt64, ledger: Ledger, in transaction: ProjectionTransaction, store: ProjectionStore) throws
    /// Folds a batch of the feed.
    func consume(_ items: [ContactFeedItem], in transaction: ProjectionTransaction, store: ProjectionStore) throws
}
