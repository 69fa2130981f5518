import LedgerDomain
import LedgerProjections
import LedgerStore

/// What a form submission asks of one consent scope of its contact (issue 19).
public struct SubmittedConsent: Sendable, Hashable {
    /// The channel and purpose.
    public var scope: ConsentScope
    /// Whether the form confirms by e-mail: a confirmation is requested (`consent.confirmation-requested`
    /// with `tokenID`) instead of a single opt-in grant.
    public var doubleOptIn: Bool
    /// The consent wording's version the person saw.
    public var wordingVersion: String?
    /// Where they submitted from.
    public var evidence: ConsentEvidence
    /// The confirmation token's id (double opt-in only).
    public var tokenID: String

    /// Describes a submission's consent.
    public init(scope: ConsentScope, doubleOptIn: Bool, wordingVersion: String?, evidence: ConsentEvidence, tokenID: String) {
        self.scope = scope
        self.doubleOptIn = doubleOptIn
        self.wordingVersion = wordingVersion
        self.evidence = evidence
        self.tokenID = tokenID
    }
}

/// What a submission did to its scope.
public enum SubmittedConsentOutcome: String, Sendable, Hashable {
    /// The scope was confirmed already: nothing is lowered, nothing recorded, no mail.
    case alreadyConfirmed = "already-confirmed"
    /// Single opt-in on a scope already subscribed: nothing recorded.
    case alreadySubscribed = "already-subscribed"
    /// Single opt-in: subscribed (`consent.granted`, method form-single-opt-in).
    case subscribed
    /// Double opt-in: a confirmation requested, with whatever was appended beside it (the mail).
    case confirmationRequested = "confirmation-requested"
}

/// What a confirmation link did.
public enum ConfirmationOutcome: String, Sendable, Hashable {
    /// Confirmed now (`consent.confirmed`).
    case confirmed
    /// This token confirmed the scope before: nothing recorded again.
    case alreadyConfirmed = "already-confirmed"
    /// The token is not the one awaited (a newer one was sent, or consent was withdrawn since):
    /// nothing recorded.
    case notPending = "not-pending"
}

extension ContactBook {
    /// Records a form submission's consent on contact `id`, and appends `alongside(decision)`
    /// (the confirmation mail's `mail.queued`) in the same commit: the request and its mail
    /// are recorded together or not at all.
    ///
    /// Never lowers a consent: a confirmed scope stays as it is and nothing is recorded. A
    /// withdrawn scope is subscribed again: the person asked, on this form, now.
    public func recordSubmission(
        _ id: StreamID,
        consent: SubmittedConsent,
        alongside: (SubmittedConsentOutcome) throws -> [AppendRequest],
        actor: Actor,
        source: Source,
        ids: (Int) -> EventID = { _ in .timeOrdered() }
    ) throws -> SubmittedConsentOutcome {
        try exclusive {
            let directory = try directory()
            guard let state = try directory.contact(id), !state.erased, state.mergedInto == nil else {
                throw ContactError(.notFound, "contact \(id) does not exist, was erased or was merged into another")
            }
            if let needed = consent.scope.channel.requiredIdentifier, state.identifiers(needed).isEmpty {
                throw ContactError(.missingIdentifier, "contact \(id) has no \(needed.label) to reach on the \(consent.scope.channel.label) channel")
            }
            let current = state.consents[consent.scope]?.status
            let outcome: SubmittedConsentOutcome
            let event: ContactEvent?
            switch (current, consent.doubleOptIn) {
            case (.confirmed?, _):
                outcome = .alreadyConfirmed
                event = nil
            case (.subscribedUnconfirmed?, false):
                outcome = .alreadySubscribed
                event = nil
            case (_, false):
                outcome = .subscribed
                event = .consentGranted(ConsentGranted(
                    scope: consent.scope, method: .formSingleOptIn, status: .subscribed,
                    wordingVersion: consent.wordingVersion, evidence: .known(consent.evidence)))
            case (_, true):
                outcome = .confirmationRequested
                event = .consentConfirmationRequested(ConsentConfirmationRequested(
                    scope: consent.scope, method: .doubleOptIn, wordingVersion: consent.wordingVersion,
                    tokenID: consent.tokenID, evidence: .known(consent.evidence)))
            }
            guard let event else { return outcome }
            try validate([event], rules: currentRules(directory))
            var requests = [AppendRequest(target: .existing(id), events: [event.newEvent(id: ids(0), actor: actor, source: source)])]
            requests += try alongside(outcome)
            _ = try ledger.append(try sealed(requests, keys: ledger.keyRing()))
            projectCommitted { try runner.catchUp(store: store) }
            return outcome
        }
    }

    /// Confirms the consent `tokenID` was requested for on contact `id`, with where the person
    /// confirmed from. Only the token awaited confirms; the one that confirmed before answers
    /// `alreadyConfirmed`, and any other changes nothing.
    public func confirmSubmission(
        _ id: StreamID,
        scope: ConsentScope,
        tokenID: String,
        evidence: ConsentEvidence,
        actor: Actor,
        source: Source
    ) throws -> ConfirmationOutcome {
        try exclusive {
            let directory = try directory()
            guard let state = try directory.contact(id), !state.erased, state.mergedInto == nil else {
                return .notPending
            }
            let record = state.consents[scope]
            guard let pending = record?.pending, pending.tokenID == tokenID, record?.status != .unsubscribed else {
                return try confirmedBefore(id, tokenID: tokenID) && record?.status == .confirmed ? .alreadyConfirmed : .notPending
            }
            let event = ContactEvent.consentConfirmed(ConsentConfirmed(
                scope: scope, method: .doubleOptIn, wordingVersion: record?.wordingVersion, tokenID: tokenID, evidence: .known(evidence)))
            try validate([event], rules: currentRules(directory))
            let request = AppendRequest(target: .existing(id), events: [event.newEvent(actor: actor, source: source)])
            _ = try ledger.append(try sealed([request], keys: ledger.keyRing()))
            projectCommitted { try runner.catchUp(store: store) }
            return .confirmed
        }
    }

    /// Whether stream `id` has a `consent.confirmed` for `tokenID`.
    func confirmedBefore(_ id: StreamID, tokenID: String) throws -> Bool {
        for recorded in try ledger.readStream(id) {
            guard case .contacts(.consentConfirmed(let confirmed))? = try? LedgerEvent(decoding: recorded) else { continue }
            if confirmed.tokenID == tokenID { return true }
        }
        return false
    }
}
