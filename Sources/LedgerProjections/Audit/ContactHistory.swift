import LedgerDomain
import LedgerStore

/// A contact's history: its stream's events turned into entries of changes, oldest first.
public enum ContactHistory {
    /// The entries of `events` (one stream's, in any order) that `filter` admits, in log order.
    ///
    /// With `filter.field`, an entry keeps only the changes of that field and is left out when
    /// none remain. An event of a type this build does not know shows as an `other` change
    /// rather than being skipped; one that does not decode is an error, as a history that
    /// silently lost a fact would mislead.
    /// Personal values are unsealed with `keys`; without them, or once the contact's key is
    /// destroyed, they read as erased.
    public static func entries(_ events: [RecordedEvent], matching filter: HistoryFilter = HistoryFilter(), keys: KeyRing? = nil) throws -> [HistoryEntry] {
        var entries = [HistoryEntry]()
        for event in events.sorted(by: { $0.position < $1.position }) where filter.admits(event) {
            var changes = try Self.changes(of: event, personal: try keys.personalData(of: event))
            if let field = filter.field {
                changes = changes.filter { $0.concerns(field: field) }
                if changes.isEmpty { continue }
            }
            entries.append(HistoryEntry(event, changes: changes))
        }
        return entries
    }

    /// What a recorded event changed; an event of a family this build does not know is one
    /// `other` change.
    private static func changes(of event: RecordedEvent, personal: [UInt8]?) throws(DomainEventError) -> [HistoryChange] {
        switch try LedgerEvent(decoding: event, personalData: personal) {
        case .contacts(let contactEvent): Self.changes(of: contactEvent)
        case .segments(let segmentEvent): [HistoryChange(kind: .other, subject: segmentEvent.segment, detail: "\(segmentEvent.type) (not a contact event)")]
        case .tokens(let tokenEvent): [HistoryChange(kind: .other, subject: nil, detail: "\(tokenEvent.type) (a token event)")]
        case .apiKeys(let keyEvent): [HistoryChange(kind: .other, subject: nil, detail: "\(keyEvent.type) (not a contact event)")]
        case .forms(let formEvent): [HistoryChange(kind: .other, subject: formEvent.definition?.name, detail: "\(formEvent.type) (not a contact event)")]
        case .outbox(let mailEvent): [HistoryChange(kind: .other, subject: nil, detail: "\(mailEvent.type) (an outbox event)")]
        case .unrecognized(let type): [HistoryChange(kind: .other, subject: nil, detail: "\(type) (not a contact event)")]
        }
    }

    /// What one event changed, in the order its payload lists it: a creation carrying
    /// identifiers and fields (decision 0026) shows each as the event it stands for would.
    public static func changes(of event: ContactEvent) -> [HistoryChange] {
        let facts = event.facts
        guard facts.count > 1 else { return changes(ofFact: event) }
        return facts.flatMap { changes(ofFact: $0) }
    }

    /// What one fact (`ContactEvent.facts`) changed.
    private static func changes(ofFact event: ContactEvent) -> [HistoryChange] {
        switch event {
        case .contactCreated(let created):
            // With the consent it was created with, each shown as the grant it is (decision 0022).
            return [HistoryChange(kind: .contact, subject: nil, detail: "created via \(created.channel.label)")]
                + created.grants.map { consent($0.scope, "granted (\($0.status.label))", $0.method, $0.wordingVersion, $0.occurredAt) }
        case .contactFieldsChanged(let changed):
            return changed.changes.map { change in
                let old = HistoryValue(change.old)
                let new = HistoryValue(change.new)
                return HistoryChange(kind: .field, subject: change.field.name, old: old, new: new, detail: "\(old.text) → \(new.text)")
            }
        case .identifierAdded(let identifier):
            let value = identifierValue(identifier)
            return [HistoryChange(kind: .identifier, subject: identifier.kind.label, old: .unset, new: value, detail: "added \(value.text)")]
        case .identifierRemoved(let identifier):
            let value = identifierValue(identifier)
            return [HistoryChange(kind: .identifier, subject: identifier.kind.label, old: value, new: .unset, detail: "removed \(value.text)")]
        case .consentGranted(let granted):
            return [consent(granted.scope, "granted (\(granted.status.label))", granted.method, granted.wordingVersion, granted.occurredAt)]
        case .consentWithdrawn(let withdrawn):
            return [consent(withdrawn.scope, "withdrawn", withdrawn.method, withdrawn.wordingVersion, withdrawn.occurredAt, extra: withdrawn.reason.map { "reason \($0)" })]
        case .consentConfirmationRequested(let requested):
            return [consent(requested.scope, "confirmation requested", requested.method, requested.wordingVersion, requested.occurredAt, extra: "token \(requested.tokenID)")]
        case .consentConfirmed(let confirmed):
            return [consent(confirmed.scope, "confirmed", confirmed.method, confirmed.wordingVersion, confirmed.occurredAt, extra: "token \(confirmed.tokenID)")]
        case .segmentMemberAdded(let membership):
            return [HistoryChange(kind: .segment, subject: membership.segment, detail: "joined")]
        case .segmentMemberRemoved(let membership):
            return [HistoryChange(kind: .segment, subject: membership.segment, detail: "left")]
        case .contactMerged(let merged):
            return [HistoryChange(kind: .contact, subject: nil, detail: "absorbed contact \(merged.absorbed)")]
        case .contactMergedAway(let mergedAway):
            return [HistoryChange(kind: .contact, subject: nil, detail: "merged into contact \(mergedAway.survivor)")]
        case .contactErased(let erased):
            return [HistoryChange(kind: .contact, subject: nil, detail: "erased (reason \(erased.reason))")]
        case .fieldDefined(let definition):
            return [HistoryChange(kind: .schema, subject: definition.name, detail: "defined as \(definition.type.label)")]
        }
    }

    private static func identifierValue(_ identifier: IdentifierChange) -> HistoryValue {
        identifier.value.value.map { .value(.text($0)) } ?? .erased
    }

    /// A consent change; one that happened before it was recorded (a migrated consent) says
    /// when, beside the entry's recorded time.
    private static func consent(_ scope: ConsentScope, _ action: String, _ method: ConsentMethod, _ wording: String?, _ occurredAt: Int64?, extra: String? = nil) -> HistoryChange {
        var detail = "\(action) by \(method.label)"
        if let occurredAt { detail += ", happened \(Timestamp.iso8601(microseconds: occurredAt))" }
        if let wording { detail += ", wording \(wording)" }
        if let extra { detail += ", \(extra)" }
        return HistoryChange(kind: .consent, subject: "\(scope.channel.label)/\(scope.purpose)", detail: detail)
    }
}
