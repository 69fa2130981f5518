import LedgerDomain
import LedgerProjections
import LedgerStore
import Synchronization

/// A consent change a person or a system asks for: what happens to the scope, and how it was
/// given or taken back. The status is stated, never inferred from the method.
public enum ConsentChange: Sendable, Hashable {
    /// Given, with the status it puts the scope in, by `method`.
    case grant(ConsentGrantStatus, method: ConsentMethod)
    /// Withdrawn by `method`, with an optional reason code.
    case withdraw(method: ConsentMethod, reason: String?)
    /// A requested confirmation (double opt-in) confirmed: the token id it answers.
    case confirm(tokenID: String)
}

extension ContactBook {
    /// Records a consent change on one channel and purpose of contact `id`.
    ///
    /// The event is checked by the field rules (purpose, wording, reason, evidence) before
    /// anything is written; a refusal names what is wrong. Consent is given only on a channel
    /// the contact can be reached on (`ConsentChannel.requiredIdentifier`: an e-mail for
    /// `email`, a phone for `sms`); it can always be withdrawn.
    public func setConsent(
        _ id: StreamID,
        scope: ConsentScope,
        change: ConsentChange,
        wordingVersion: String? = nil,
        evidence: ConsentEvidence = .none,
        actor: Actor,
        source: Source
    ) throws {
        let event: ContactEvent = switch change {
        case .grant(let status, let method):
            .consentGranted(ConsentGranted(scope: scope, method: method, status: status, wordingVersion: wordingVersion, evidence: .known(evidence)))
        case .withdraw(let method, let reason):
            .consentWithdrawn(ConsentWithdrawn(scope: scope, method: method, wordingVersion: wordingVersion, reason: reason, evidence: .known(evidence)))
        case .confirm(let tokenID):
            .consentConfirmed(ConsentConfirmed(scope: scope, method: .doubleOptIn, wordingVersion: wordingVersion, tokenID: tokenID, evidence: .known(evidence)))
        }
        // Checked with the other events of single-contact commands, before sealing (`record`).
        try exclusive {
            guard let state = try directory().contact(id), !state.erased, state.mergedInto == nil else {
                throw ContactError(.notFound, "contact \(id) does not exist, was erased or was merged into another")
            }
            if case .withdraw = change {} else if let needed = scope.channel.requiredIdentifier, state.identifiers(needed).isEmpty {
                throw ContactError(.missingIdentifier, "contact \(id) has no \(needed.label) to reach on the \(scope.channel.label) channel; add one before recording consent on it")
            }
            _ = try record([event], to: id, expected: .any, actor: actor, source: source) { _ in .timeOrdered() }
        }
    }

    /// Merges contact `absorbed` into `survivor` on purpose: the survivor takes over the
    /// absorbed contact's identifiers (its own primary e-mail, phone and external id stay
    /// primary), fields it lacks, and segments; the absorbed contact's stream ends with
    /// `contact.merged-away`.
    public func merge(survivor: StreamID, absorbed: StreamID, actor: Actor, source: Source) throws {
        guard survivor != absorbed else { throw ContactError(.invalidRequest, "a contact cannot be merged into itself") }
        try exclusive {
            let directory = try directory()
            guard let kept = try directory.contact(survivor), !kept.erased, kept.mergedInto == nil else {
                throw ContactError(.notFound, "contact \(survivor) does not exist, was erased or was merged into another")
            }
            guard let gone = try directory.contact(absorbed), !gone.erased, gone.mergedInto == nil else {
                throw ContactError(.notFound, "contact \(absorbed) does not exist, was erased or was merged into another")
            }
            var survivorEvents = [ContactEvent]()
            var absorbedEvents = [ContactEvent]()
            for kind in [IdentifierKind.email, .phone, .externalId] {
                var took = false
                for value in gone.identifiers(kind) {
                    absorbedEvents.append(.identifierRemoved(IdentifierChange(kind: kind, value: value)))
                    if !kept.identifiers(kind).contains(value) {
                        survivorEvents.append(.identifierAdded(IdentifierChange(kind: kind, value: value)))
                        took = true
                    }
                }
                // The latest identifier added is the primary one: the survivor's own primary is
                // added again after those it took over, so it stays primary.
                if took, let primary = kept.identifiers(kind).last {
                    survivorEvents.append(.identifierAdded(IdentifierChange(kind: kind, value: primary)))
                }
            }
            var changes = [FieldChange]()
            for (field, value) in gone.standardFields where kept.standardFields[field] == nil {
                changes.append(FieldChange(field: .standard(field), from: nil, to: value))
            }
            for (name, value) in gone.fields.sorted(by: { $0.key < $1.key }) where kept.fields[name] == nil {
                changes.append(FieldChange(field: .custom(name), from: nil, to: value))
            }
            if !changes.isEmpty { survivorEvents.append(.contactFieldsChanged(ContactFieldsChanged(changes: changes))) }
            for segment in gone.segments.sorted() where !kept.segments.contains(segment) {
                survivorEvents.append(.segmentMemberAdded(SegmentMembership(segment: segment)))
            }
            survivorEvents += ConsentMerge.carried(from: gone.consents, into: kept.consents)
            absorbedEvents.append(.contactMergedAway(ContactMergedAway(survivor: survivor)))
            try validate(absorbedEvents + survivorEvents, rules: currentRules(directory))
            // One batch, so both streams change together or not at all. What the survivor
            // takes over is caused by its `contact.merged` (decision 0005); the whole merge
            // shares one correlation id.
            let correlation = EventID.timeOrdered()
            let merged = ContactEvent.contactMerged(ContactMerged(absorbed: absorbed)).newEvent(actor: actor, source: source, correlation: correlation)
            // The absorbed contact gives its identifiers back before the survivor claims them.
            let decidedAt = try directory.checkpoint()
            let requests = [
                AppendRequest(target: .existing(absorbed), events: absorbedEvents.map {
                    $0.newEvent(actor: actor, source: source, correlation: correlation)
                }, identity: identityChanges(before: gone.heldIdentifiers, events: absorbedEvents, decidedAt: decidedAt)),
                AppendRequest(target: .existing(survivor), events: [merged] + survivorEvents.map {
                    $0.newEvent(actor: actor, source: source, correlation: correlation, causation: merged.id)
                }, identity: identityChanges(before: kept.heldIdentifiers, events: survivorEvents, decidedAt: decidedAt)),
            ]
            _ = try ledger.append(try sealed(requests, keys: ledger.keyRing()))
            projectCommitted { try runner.catchUp(store: store) }
        }
    }

    /// Declares a custom field and its type; redeclaring with another type is refused.
    public func defineField(_ name: String, type: FieldType, actor: Actor, source: Source) throws {
        try exclusive {
            let directory = try directory()
            if let existing = try directory.fieldTypes()[name] {
                guard existing == type else {
                    throw ContactError(.invalidField, "field \(name) is already declared as \(existing.label)")
                }
                return
            }
            let definition = FieldDefined(name: name, type: type)
            // Upserts declare fields too, without this command's lock: the schema stream's
            // version as of the projection read (or the claim on making the stream) makes a
            // declaration that slipped in between a conflict, and the caller tries again.
            let decidedAt = try directory.checkpoint()
            if let schema = try directory.schemaStream() {
                let version = try ledger.versions(of: [schema], through: decidedAt)[0]
                _ = try record([.fieldDefined(definition)], to: schema, expected: .exact(version), actor: actor, source: source) { _ in .timeOrdered() }
            } else {
                let only = IdentityChanges(claims: [ledger.identityClaim(kind: 0, value: "schema stream")], decidedAt: decidedAt)
                _ = try record([.fieldDefined(definition)], to: nil, newIn: .schema, expected: .noStream, identity: only, actor: actor, source: source) { _ in .timeOrdered() }
            }
        }
    }
}
