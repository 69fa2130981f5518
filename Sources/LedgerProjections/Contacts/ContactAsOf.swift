import LedgerDomain
import LedgerStore

/// A contact as it stood at a past moment, folded from its stream's recorded events.
public enum ContactAsOf {
    /// Folds the events recorded at or before `microseconds` (all of them when nil), in log
    /// order; nil when none of them concerns a contact.
    ///
    /// `events` are one stream's, as the store reads them; they are put in position order
    /// first so a caller's ordering cannot change the answer. Sealed personal data is unsealed
    /// with `keys`, and reads as erased without them (or once the key is destroyed), so a
    /// caller without the contact's key sees the non-personal history. An event that does not
    /// decode is an error: an answer that silently skipped a fact could be wrong about consent.
    public static func state(events: [RecordedEvent], at microseconds: Int64?, keys: KeyRing? = nil) throws -> ContactState? {
        var state: ContactState? = nil
        for event in events.sorted(by: { $0.position < $1.position }) {
            if let microseconds, event.recordedAt > microseconds { continue }
            state = ContactState.fold(state, try ContactEvent(decoding: event, personalData: try keys.personalData(of: event)), meta: EventMeta(event))
        }
        return state
    }
}
