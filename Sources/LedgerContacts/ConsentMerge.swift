import LedgerDomain
import LedgerProjections

/// Which consent the survivor of a merge keeps for each scope, and the events that record it
/// (decision 0005, "Merge").
///
/// Per scope the absorbed contact had, the survivor ends up with:
/// - the absorbed contact's consent, when the survivor had none for that scope;
/// - a withdrawal, when the newer of the two records is one: the person's latest word on the
///   scope was "no", and a merge must not undo it;
/// - otherwise the stronger status (confirmed over subscribed over unsubscribed), and on a tie
///   the survivor's own record.
///
/// Carried consents are written as ordinary consent events on the survivor's stream, with the
/// absorbed record's method, wording and evidence (so the trail still says how the consent was
/// given), and the merge event as their causation.
enum ConsentMerge {
    /// The events that give the survivor, holding `kept`, what wins of `absorbed`, scope by scope.
    static func carried(
        from absorbed: [ConsentScope: ConsentRecord],
        into kept: [ConsentScope: ConsentRecord]
    ) -> [ContactEvent] {
        let scopes = absorbed.keys.sorted { ($0.channel.rawValue, $0.purpose) < ($1.channel.rawValue, $1.purpose) }
        return scopes.compactMap { scope in
            guard let theirs = absorbed[scope], winner(ours: kept[scope], theirs: theirs) == .theirs else { return nil }
            return event(carrying: theirs, scope: scope)
        }
    }

    /// Which record a scope keeps after the merge.
    enum Winner: Equatable {
        case ours, theirs
    }

    /// The rule in the type's comment.
    static func winner(ours: ConsentRecord?, theirs: ConsentRecord) -> Winner {
        guard let ours else { return .theirs }
        let newer = theirs.since > ours.since ? theirs : ours
        if newer.status == .unsubscribed {
            return newer == theirs && ours.status != .unsubscribed ? .theirs : .ours
        }
        return rank(theirs.status) > rank(ours.status) ? .theirs : .ours
    }

    private static func rank(_ status: ConsentStatus) -> Int {
        switch status {
        case .unsubscribed: 0
        case .subscribedUnconfirmed: 1
        case .confirmed: 2
        }
    }

    /// The consent event that puts a scope in `record`'s status, as `record` was given.
    private static func event(carrying record: ConsentRecord, scope: ConsentScope) -> ContactEvent {
        let evidence = Personal.known(record.evidence ?? .none)
        switch record.status {
        case .unsubscribed:
            return .consentWithdrawn(ConsentWithdrawn(scope: scope, method: record.method, wordingVersion: record.wordingVersion, reason: nil, evidence: evidence))
        case .subscribedUnconfirmed:
            return .consentGranted(ConsentGranted(scope: scope, method: record.method, status: .subscribed, wordingVersion: record.wordingVersion, evidence: evidence))
        case .confirmed:
            return .consentGranted(ConsentGranted(scope: scope, method: record.method, status: .confirmed, wordingVersion: record.wordingVersion, evidence: evidence))
        }
    }
}
