import LedgerDomain
import LedgerStore

/// A contact's consent trail: every grant (those its creation carries included), withdrawal,
/// confirmation request and confirmation of its stream, oldest first.
public enum ConsentTrail {
    /// The consent events among `events` (one or more streams', any order) that happened at or
    /// before `until` (their `occurredAt` when they state one, else when recorded) and were
    /// recorded at or before `knownAt` (no limit when nil), in log order. Other contact events
    /// are skipped, and so are event types this build does not know; one that does not decode
    /// is an error. Personal data (evidence) is unsealed with `keys`; without them it reads as
    /// erased.
    public static func entries(_ events: [RecordedEvent], until: Int64? = nil, knownAt: Int64? = nil, keys: KeyRing? = nil) throws -> [ConsentTrailEntry] {
        var entries = [ConsentTrailEntry]()
        for event in events.sorted(by: { $0.position < $1.position }) {
            if let knownAt, event.recordedAt > knownAt { continue }
            guard let decoded = try decode(event, personal: try keys.personalData(of: event)) else { continue }
            if let until, (decoded.occurredAt ?? event.recordedAt) > until { continue }
            func entry(_ action: ConsentTrailEntry.Action, _ scope: ConsentScope, _ method: ConsentMethod, _ wording: String?, status: ConsentGrantStatus? = nil, reason: String? = nil, token: String? = nil, _ evidence: Personal<ConsentEvidence>) -> ConsentTrailEntry {
                ConsentTrailEntry(
                    position: event.position, stream: event.stream, recordedAt: event.recordedAt, occurredAt: decoded.occurredAt, actor: event.actor,
                    source: event.source, action: action, scope: scope, method: method, wordingVersion: wording,
                    grantedStatus: status, reason: reason, tokenID: token, evidence: evidence
                )
            }
            switch decoded {
            case .consentGranted(let granted):
                entries.append(entry(.granted, granted.scope, granted.method, granted.wordingVersion, status: granted.status, granted.evidence))
            case .consentWithdrawn(let withdrawn):
                entries.append(entry(.withdrawn, withdrawn.scope, withdrawn.method, withdrawn.wordingVersion, reason: withdrawn.reason, withdrawn.evidence))
            case .consentConfirmationRequested(let requested):
                entries.append(entry(.confirmationRequested, requested.scope, requested.method, requested.wordingVersion, token: requested.tokenID, requested.evidence))
            case .consentConfirmed(let confirmed):
                entries.append(entry(.confirmed, confirmed.scope, confirmed.method, confirmed.wordingVersion, token: confirmed.tokenID, confirmed.evidence))
            case .contactCreated(let created):
                // The consent the contact was created with (decision 0022); the identifiers and
                // fields it carries (decision 0026, `facts`) are no consent.
                for granted in created.grants {
                    entries.append(entry(.granted, granted.scope, granted.method, granted.wordingVersion, status: granted.status, granted.evidence))
                }
            case .contactFieldsChanged, .identifierAdded, .identifierRemoved, .segmentMemberAdded,
                 .segmentMemberRemoved, .contactMerged, .contactMergedAway, .contactErased, .fieldDefined:
                continue
            }
        }
        return entries
    }

    /// The event decoded, or nil for an event of another family.
    private static func decode(_ event: RecordedEvent, personal: [UInt8]?) throws(DomainEventError) -> ContactEvent? {
        try LedgerEvent(decoding: event, personalData: personal).contactEvent
    }
}
