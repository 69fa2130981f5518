import LedgerDomain
import LedgerProjections

// How a request's consent becomes events (issue 20).
//
// Per channel the request carries (an e-mail: `email`; a phone: `sms`), the row's steps, in
// the order they happened:
//
// 1. a channel the row states nothing about (no status of its own or for the row; times and
//    IPs without a status count for e-mail only, `statesConsent`) gets the import's stated
//    status (`stated`), with no time of its own: it happened when it was recorded;
// 2. otherwise: an opt-in (a grant `subscribed` at the opt-in time, with its IP) when the row
//    has an opt-in time or IP or says `subscribed`; a confirmation (a grant `confirmed` at the
//    confirmation time, with its IP) when it has a confirmation time or IP or says
//    `confirmed`; a withdrawal (at the unsubscribe or clean time, with the reason, `cleaned`
//    for a cleaned address) when it has one of those times or says `unsubscribed` or
//    `cleaned`. A stated status with no time of its own takes the row's last-changed time.
//
// Each step is recorded only when it changes the scope's status, decided against the contact's
// current record and the steps before it:
//
// - a grant never lowers a consent (confirmed stays confirmed; subscribed is not repeated);
// - a grant never re-subscribes a scope that was withdrawn unless the row itself states the
//   status (the import's default never does) with a time later than the withdrawal;
// - a withdrawal is recorded unless the scope is withdrawn already, or it happened before the
//   scope's current status was set (the person agreed again since).
//
// So what an import records for a scope is in the order it happened, and the fold's log order
// and `ContactAsOf`'s happened-time agree. A consent set earlier in the same batch reads as set
// now (`EventMeta.unplacedTime`).
extension ConsentInput {
    /// Why the row's consent columns contradict each other, or nil when they do not.
    public var problem: String? {
        for channel in [ConsentChannel.email, .sms] {
            if let status = status(of: channel), status == .subscribed || status == .confirmed, unsubscribedAt != nil || cleanedAt != nil {
                return "the \(channel.label) status is \(status.rawValue), but the row has an unsubscribe or clean time"
            }
        }
        if let optInAt, let confirmedAt, confirmedAt < optInAt {
            return "the confirmation time is before the opt-in time"
        }
        let withdrawn = unsubscribedAt ?? cleanedAt
        if let withdrawn, let granted = confirmedAt ?? optInAt, withdrawn < granted {
            return "the \(unsubscribedAt != nil ? "unsubscribe" : "clean") time is before the \(confirmedAt != nil ? "confirmation" : "opt-in") time"
        }
        return nil
    }

    /// Appends to `events` the consent events of the channels `identifiers` carry (or, for a
    /// status column of the channel's own, that `state` can be reached on) and of the push
    /// channels the request carries, as the rules above decide them against `state`.
    func appendEvents(identifiers: ContactIdentifiers, state: ContactState?, to events: inout [ContactEvent]) {
        for channel in [ConsentChannel.email, .sms] {
            guard let needed = channel.requiredIdentifier else { continue }
            // A channel the row carries; or one the contact holds, by a column of its own; or a
            // withdrawal by such a column, which needs no address.
            let carried = identifiers[needed] != nil
            let held = !(state?.identifiers(needed).isEmpty ?? true)
            let withdrawing = status(of: channel).map(Self.withdraws) ?? false
            guard carried || (hasOwnStatus(channel) && (held || withdrawing)) else { continue }
            let scope = ConsentScope(channel: channel, purpose: purpose)
            appendEvents(scope, current: state?.consents[scope], to: &events)
        }
        // The push channels the row carries (its tokens are recorded through the token family).
        for channel in pushChannels where channel == .webpush || channel == .mobilepush {
            let scope = ConsentScope(channel: channel, purpose: purpose)
            appendEvents(scope, current: state?.consents[scope], to: &events)
        }
    }

    private static func withdraws(_ status: Status) -> Bool {
        status == .unsubscribed || status == .cleaned
    }

    /// One step of a row's consent, in the order they happened.
    private enum Step {
        case grant(ConsentGrantStatus, at: Int64?, ip: String?, rowStated: Bool)
        case withdraw(at: Int64?, reason: String?)
    }

    private func steps(_ channel: ConsentChannel) -> [Step] {
        guard statesConsent(channel) else {
            return stated.map { [.grant($0, at: nil, ip: nil, rowStated: false)] } ?? []
        }
        let status = status(of: channel)
        var steps = [Step]()
        // A stated status whose own time is missing happened when the source last changed it.
        if optInAt != nil || optInIP != nil || status == .subscribed {
            let time = optInAt ?? (status == .subscribed ? lastChangedAt : nil)
            steps.append(.grant(.subscribed, at: time, ip: optInIP, rowStated: true))
        }
        if confirmedAt != nil || confirmIP != nil || status == .confirmed {
            let time = confirmedAt ?? (status == .confirmed ? lastChangedAt : nil)
            steps.append(.grant(.confirmed, at: time, ip: confirmIP, rowStated: true))
        }
        if unsubscribedAt != nil || cleanedAt != nil || status.map(Self.withdraws) == true {
            let cleaned = status == .cleaned || (unsubscribedAt == nil && cleanedAt != nil)
            let time = unsubscribedAt ?? cleanedAt ?? lastChangedAt
            steps.append(.withdraw(at: time, reason: cleaned ? (unsubscribeReason ?? "cleaned") : unsubscribeReason))
        }
        return steps
    }

    private func appendEvents(_ scope: ConsentScope, current: ConsentRecord?, to events: inout [ContactEvent]) {
        // The scope as the steps leave it: its status, and since when (a record set in this
        // batch, not yet placed, reads as set now).
        var status = current?.status
        var since: Int64 = current.map { $0.since == EventMeta.unplacedTime ? Int64.max : $0.since } ?? Int64.min
        // A channel the row says nothing about has the stated status as its one step, taken
        // without making the list of steps (an array per channel of every imported row).
        guard statesConsent(scope.channel) else {
            if let stated { take(.grant(stated, at: nil, ip: nil, rowStated: false), scope, &status, &since, &events) }
            return
        }
        for step in steps(scope.channel) { take(step, scope, &status, &since, &events) }
    }

    /// Appends the event of `step` when it changes the scope's `status` (set `since`), and
    /// moves both on.
    private func take(_ step: Step, _ scope: ConsentScope, _ status: inout ConsentStatus?, _ since: inout Int64, _ events: inout [ContactEvent]) {
        switch step {
        case .grant(let target, let time, let ip, let rowStated):
            switch status {
            case .confirmed?: return
            case .subscribedUnconfirmed?: if target == .subscribed { return }
            case .unsubscribed?:
                guard rowStated, let time, time > since else { return }
            case nil: break
            }
            events.append(.consentGranted(ConsentGranted(
                scope: scope, method: method, status: target, wordingVersion: wordingVersion,
                evidence: .known(ConsentEvidence(ipAddress: ip)), occurredAt: time)))
            status = target == .confirmed ? .confirmed : .subscribedUnconfirmed
            since = time ?? Int64.min
        case .withdraw(let time, let reason):
            if status == .unsubscribed { return }
            if status != nil, let time, time <= since { return }
            events.append(.consentWithdrawn(ConsentWithdrawn(
                scope: scope, method: method, wordingVersion: wordingVersion, reason: reason,
                evidence: .known(.none), occurredAt: time)))
            status = .unsubscribed
            since = time ?? Int64.max
        }
    }
}
