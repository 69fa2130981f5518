import LedgerDomain
import LedgerStore

/// A contact as it stood at a past moment, folded from its stream's recorded events.
///
/// Two times can be asked about. `at` is when things happened: a consent event that says it
/// happened earlier than it was recorded (`occurredAt`, a consent migrated from another system)
/// counts from then, every other event from when it was recorded. `knownAt` is what the ledger
/// knew: only events recorded by then count. "On 2024-05-01, was this person subscribed?" is
/// `at`; "on 2026-01-10, what did we believe about that?" adds `knownAt`.
public enum ContactAsOf {
    /// Folds the events that happened at or before `at` and were recorded at or before
    /// `knownAt` (nil: no limit), in log order; nil when none of them concerns a contact.
    ///
    /// `events` are one stream's, as the store reads them; they are put in position order
    /// first so a caller's ordering cannot change the answer. Sealed personal data is unsealed
    /// with `keys`, and reads as erased without them (or once the key is destroyed), so a
    /// caller without the contact's key sees the non-personal history. An event that does not
    /// decode is an error: an answer that silently skipped a fact could be wrong about consent.
    public static func state(events: [RecordedEvent], at microseconds: Int64?, knownAt: Int64? = nil, keys: KeyRing? = nil) throws -> ContactState? {
        var state: ContactState? = nil
        for event in events.sorted(by: { $0.position < $1.position }) {
            if let knownAt, event.recordedAt > knownAt { continue }
            let decoded = try ContactEvent(decoding: event, personalData: try keys.personalData(of: event))
            if let microseconds, (decoded.occurredAt ?? event.recordedAt) > microseconds { continue }
            state = ContactState.fold(state, decoded, meta: EventMeta(event))
        }
        return state
    }
}
