import LedgerDomain
import LedgerStore

/// Dynamic segments' membership, kept downstream of the contact fold in the contact
/// projection's store (decision 0018).
///
/// Tables:
/// - `segment-rules`: name → `SegmentRuleRecord` (the current rule), and the `active` mark;
/// - `segment-members`: name ‖ 0 ‖ stream → entered at (Int64) and rule version: who is in now;
/// - `segment-contacts`: stream → the dynamic segments the contact is in (their streams, u64s);
/// - `segment-history`: name ‖ 0 ‖ stream ‖ position → `SegmentTransition`: entered or left,
///   when, under which version, caused by the event at that position;
/// - `segment-facts`: stream → `SegmentFacts`.
///
/// Each contact event re-evaluates its contact against every rule, at the event's recording
/// time (so a rebuild evaluates exactly as the incremental fold did). A rule's definition or a
/// refresh (`segment.refreshed`) re-evaluates every contact for that segment and those that
/// depend on it, at that event's time. Transitions at one instant that cancel (entered and left
/// within one append) are not kept: no cut of the log by time can see them.
///
/// Dormant until the first segment event: it then reads the log before it once for the facts.
public struct SegmentProjection: ContactFeedConsumer {
    public static let tables = ["segment-rules", "segment-members", "segment-contacts", "segment-history", "segment-facts"]
    public var tables: [String] { Self.tables }

    /// The projection.
    public init() {}

    public func isActive(in transaction: ProjectionTransaction, store: ProjectionStore) throws -> Bool {
        try transaction.withValue(try store.table("segment-rules"), SegmentKeys.active) { $0 != nil }
    }

    public func claims(_ family: EventFamily) -> Bool { family == .segments }

    public func wakingPosition(in ledger: Ledger) throws -> UInt64? {
        guard (try ledger.stats().streamsByCategory[StreamCategory.segment.label] ?? 0) > 0 else { return nil }
        // Every event of the segments family is in a segment stream: the first one wakes it.
        return try ledger.events(in: .segment, after: 0, limit: 1).events.first?.position
    }

    public func activate(before position: UInt64, ledger: Ledger, in transaction: ProjectionTransaction, store: ProjectionStore) throws {
        var facts = [StreamID: SegmentFacts]()
        var ended = Set<StreamID>()
        var next: UInt64 = 1
        while next < position {
            let events = try ledger.read(from: next, limit: 10_000).filter { $0.position < position }
            guard let last = events.last else { break }
            for event in events {
                // Field names, actors and sources are not sealed: nothing needs unsealing.
                guard let contactEvent = try LedgerEvent(decoding: event).contactEvent, !ended.contains(event.stream) else { continue }
                if case .fieldDefined = contactEvent { continue }
                facts[event.stream, default: SegmentFacts()].record(contactEvent, envelope: FactEnvelope(event))
                switch contactEvent {
                case .contactErased, .contactMergedAway: ended.insert(event.stream)
                default: break
                }
            }
            next = last.position + 1
        }
        let table = try store.table("segment-facts")
        for stream in facts.keys.sorted() {
            guard let value = facts[stream], !value.isEmpty else { continue }
            try transaction.put(table, SegmentKeys.stream(stream), value.encoded())
        }
        try transaction.put(try store.table("segment-rules"), SegmentKeys.active, [1])
    }

    public func consume(_ items: [ContactFeedItem], in transaction: ProjectionTransaction, store: ProjectionStore) throws {
        // The record of a definition's changes comes in parts, each handed alone: it changes
        // nothing here, so the rules are not even read for it.
        let changesNothing = items.allSatisfy { item in
            if case .other(_, .segments(.membersChanged)) = item { return true }
            return false
        }
        if changesNothing { return }
        var work = try SegmentWork(transaction: transaction, store: store)
        for item in items {
            switch item {
            case .change(let change):
                try work.apply(change)
            case .other(let event, .segments(let segmentEvent)):
                try work.apply(segmentEvent, recorded: event)
            case .other:
                continue
            }
        }
        try work.flush()
    }
}
