import LedgerDomain

// The consent events' effect on one scope's record; the table is on `ConsentStatus`. A record's
// `since` is when the event that set it happened: the event's `occurredAt` when it states one (a
// consent migrated from another system), else when the ledger recorded it.
extension ConsentRecord {
    /// The record after `consent.granted`.
    static func granting(_ record: ConsentRecord?, _ event: ConsentGranted, meta: EventMeta) -> ConsentRecord {
        // The grant states its status (v1 grants read with the status their method implied).
        let confirms = event.status == .confirmed
        let target: ConsentStatus = confirms ? .confirmed : .subscribedUnconfirmed
        if let record, record.status == target || record.status == .confirmed {
            return record
        }
        return ConsentRecord(
            status: target, since: event.occurredAt ?? meta.recordedAt, method: event.method, wordingVersion: event.wordingVersion,
            position: meta.position, evidence: event.evidence.stateValue,
            // A grant that confirms settles any confirmation still awaited.
            pending: confirms ? nil : record?.pending
        )
    }

    /// The record after `consent.withdrawn`.
    static func withdrawing(_ record: ConsentRecord?, _ event: ConsentWithdrawn, meta: EventMeta) -> ConsentRecord {
        if var record, record.status == .unsubscribed {
            record.pending = nil
            return record
        }
        return ConsentRecord(
            status: .unsubscribed, since: event.occurredAt ?? meta.recordedAt, method: event.method, wordingVersion: event.wordingVersion,
            position: meta.position, evidence: event.evidence.stateValue, pending: nil
        )
    }

    /// The record after `consent.confirmation-requested`.
    static func requesting(_ record: ConsentRecord?, _ event: ConsentConfirmationRequested, meta: EventMeta) -> ConsentRecord {
        let pending = PendingConfirmation(tokenID: event.tokenID, requestedAt: event.occurredAt ?? meta.recordedAt)
        if var record, record.status != .unsubscribed {
            record.pending = pending
            return record
        }
        return ConsentRecord(
            status: .subscribedUnconfirmed, since: event.occurredAt ?? meta.recordedAt, method: event.method,
            wordingVersion: event.wordingVersion, position: meta.position, evidence: event.evidence.stateValue,
            pending: pending
        )
    }

    /// The record after `consent.confirmed`.
    static func confirming(_ record: ConsentRecord?, _ event: ConsentConfirmed, meta: EventMeta) -> ConsentRecord {
        // A confirmation of an older token leaves a newer request awaited.
        let pending = record?.pending.flatMap { $0.tokenID == event.tokenID ? nil : $0 }
        if var record, record.status == .confirmed {
            record.pending = pending
            return record
        }
        return ConsentRecord(
            status: .confirmed, since: event.occurredAt ?? meta.recordedAt, method: event.method, wordingVersion: event.wordingVersion,
            position: meta.position, evidence: event.evidence.stateValue, pending: pending
        )
    }
}

extension Personal<ConsentEvidence> {
    /// The evidence the state keeps: where the person acted from, nil when erased or empty,
    /// so "none" has one form. An operator's note stays in the log (the consent trail shows
    /// it), not in the state.
    var stateValue: ConsentEvidence? {
        // Asked of the fields in place: copying the evidence out and comparing a new one with
        // `.none` cost a few hundred instructions per grant of every imported contact.
        guard case .known(let evidence) = self, evidence.ipAddress != nil || evidence.userAgent != nil else { return nil }
        return ConsentEvidence(ipAddress: evidence.ipAddress, userAgent: evidence.userAgent)
    }
}
