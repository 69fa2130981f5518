import Foundation
import LedgerDomain
import LedgerIdentity
import LedgerProjections
import LedgerStore
import Synchronization

extension ContactBook {
    /// Creates or updates the contact `input` is about, recording only real changes.
    ///
    /// - The identifiers are normalised; the match rule says which one finds the contact.
    /// - When the given identifiers belong to different contacts, the request is refused and
    ///   the error names both; contacts are never merged silently.
    /// - Empty values leave existing ones alone unless `options.overwriteEmpty`.
    /// - `ids(n)` gives the id of the request's n-th event: time-ordered for API calls,
    ///   derived from file and row for imports, so a re-run appends nothing twice.
    public func upsert(
        _ input: ContactInput,
        match: MatchRule,
        options: UpsertOptions = UpsertOptions(),
        channel: EntryChannel,
        actor: Actor,
        source: Source,
        ids: @escaping @Sendable (Int) -> EventID = { _ in .timeOrdered() }
    ) throws -> UpsertOutcome {
        let item = UpsertItem(input: input, source: source, ids: ids)
        let results = try upsert([item], match: match, options: options, channel: channel, actor: actor)
        guard let result = results.first else { throw ContactError(.invalidRequest, "no outcome for the request") }
        return try result.get()
    }

    /// The normalised identifiers of `input`, or why one is not valid.
    ///
    /// Safe to call from any thread: a bulk writer normalises the next batch (libphonenumber is
    /// the costly part) on another core while `upsert` records this one.
    public func normalize(_ input: ContactInput) -> Result<ContactIdentifiers, ContactError> {
        Result { try normalizedIdentifiers(input) }.mapError { error in
            error as? ContactError ?? ContactError(.invalidRequest, "\(error)", cause: error)
        }
    }

    /// Normalised identifiers of `input`.
    func normalizedIdentifiers(_ input: ContactInput) throws -> ContactIdentifiers {
        var identifiers = ContactIdentifiers()
        if let email = input.email?.trimmingWhitespace, !email.isEmpty {
            identifiers.email = try normalizedEmail(email)
        }
        if let phone = input.phone?.trimmingWhitespace, !phone.isEmpty {
            identifiers.phone = try normalizedPhone(phone)
        }
        if let external = input.externalId?.trimmingWhitespace, !external.isEmpty {
            identifiers.externalId = external
        }
        return identifiers
    }

    func requireMatchIdentifier(_ match: MatchRule, _ identifiers: ContactIdentifiers) throws {
        let present: Bool
        switch match {
        case .email: present = identifiers.email != nil
        case .phone: present = identifiers.phone != nil
        case .emailOrPhone: present = identifiers.email != nil || identifiers.phone != nil
        case .externalId: present = identifiers.externalId != nil
        }
        guard present else {
            let needed = match == .emailOrPhone ? "an email or a phone" : "a \(match.cliSpelling)"
            throw ContactError(.missingIdentifier, "the contact's unique id is missing: matching by \(match.cliSpelling) needs \(needed)")
        }
    }

    /// The order identifier events are decided in (a constant, not an array made per request).
    private static let identifierKindsInEventOrder: [IdentifierKind] = [.email, .phone, .externalId]

    /// The events that bring `state` (nil: a new contact) to what `input` says. A custom field
    /// used for the first time is declared (`field.defined`) and added to `rules`, only when
    /// the request is accepted.
    package func changes(
        _ input: ContactInput,
        identifiers: ContactIdentifiers,
        state: ContactState?,
        channel: EntryChannel,
        rules outerRules: inout ContactFieldRules,
        options: UpsertOptions
    ) throws -> [ContactEvent] {
        var events = [ContactEvent]()
        try changes(input, identifiers: identifiers, state: state, channel: channel, rules: &outerRules, options: options, into: &events)
        return events
    }

    /// The same events, into `events` (emptied first, its memory kept): a bulk writer's
    /// preparer decides every new contact's events in one array instead of allocating one per
    /// row. On error `events` holds what was decided before it, and `outerRules` is unchanged.
    package func changes(
        _ input: ContactInput,
        identifiers: ContactIdentifiers,
        state: ContactState?,
        channel: EntryChannel,
        rules outerRules: inout ContactFieldRules,
        options: UpsertOptions,
        into events: inout [ContactEvent]
    ) throws {
        // A preparer's array comes back empty: nothing to free, so no call.
        if !events.isEmpty { events.removeAll(keepingCapacity: true) }
        // Room for the usual events: created (or identifiers and fields), segments, consents.
        events.reserveCapacity(7 + input.segments.count)
        // A new contact is one `contact.created` carrying its identifiers and field values
        // (decision 0026); an existing one's changes are events of their own.
        var created = state == nil ? ContactCreated(channel: channel) : nil
        if created != nil {
            events.append(.contactCreated(ContactCreated(channel: channel)))
            // Its identifiers' list made at its size: grown one by one it was allocated twice.
            let count = (identifiers.email == nil ? 0 : 1) + (identifiers.phone == nil ? 0 : 1) + (identifiers.externalId == nil ? 0 : 1)
            created?.identifiers.reserveCapacity(count)
        }
        for kind in Self.identifierKindsInEventOrder {
            guard let value = identifiers[kind] else { continue }
            if created != nil {
                created?.identifiers.append(IdentifierChange(kind: kind, value: value))
                continue
            }
            let held = state?.identifiers(kind) ?? []
            if held.contains(value) { continue }
            // A contact has one identifier of each kind: a new one replaces the old.
            for old in held { events.append(.identifierRemoved(IdentifierChange(kind: kind, value: old))) }
            events.append(.identifierAdded(IdentifierChange(kind: kind, value: value)))
        }
        var fieldChanges = [FieldChange]()
        fieldChanges.reserveCapacity(input.fields.count)
        var rules = outerRules
        for (field, value) in input.fields {
            if case .custom(let name) = field, rules.customFields[name] == nil, let value {
                // Declared on first use, with the type of its first value.
                rules.customFields[name] = value.type
                events.append(.fieldDefined(FieldDefined(name: name, type: value.type)))
            }
            let current = state?.value(of: field)
            if value == nil && !options.overwriteEmpty { continue }
            if current == value { continue }
            fieldChanges.append(FieldChange(field: field, from: current, to: value))
        }
        if !fieldChanges.isEmpty {
            do {
                try rules.validate(fieldChanges)
            } catch {
                throw ContactError(.invalidField, "\(error)", cause: error)
            }
            if created != nil {
                created?.fields = fieldChanges
            } else {
                events.append(.contactFieldsChanged(ContactFieldsChanged(changes: fieldChanges)))
            }
        }
        // The identifiers came normalised (`normalizedIdentifiers`), as they do for an
        // `identifier-added`; the fields were checked above. A new contact's creation is
        // stored in `events[0]` once, at the end, with the consents it carries.
        for segment in input.segments where !(state?.segments.contains(segment) ?? false) {
            let joined = ContactEvent.segmentMemberAdded(SegmentMembership(segment: segment))
            do {
                try rules.validate(joined)
            } catch {
                throw ContactError(.invalidField, "\(error)", cause: error)
            }
            events.append(joined)
        }
        for segment in input.leavingSegments where state?.segments.contains(segment) == true && !input.segments.contains(segment) {
            events.append(.segmentMemberRemoved(SegmentMembership(segment: segment)))
        }
        if let consent = input.consent {
            let first = events.count
            consent.appendEvents(identifiers: identifiers, state: state, to: &events)
            for index in first..<events.count {
                do {
                    try rules.validate(events[index])
                } catch {
                    throw ContactError(.invalidField, "\(error)", cause: error)
                }
            }
            if created != nil { Self.carryCreationConsent(into: &created, from: &events, first: first) }
        }
        if let created { events[0] = .contactCreated(created) }
        outerRules = rules
    }

    /// Moves a new contact's grants on its sender's stated terms (no evidence, no time of
    /// their own) from `events[first...]` into its `contact.created` (`events[0]`), one per
    /// scope (decision 0022). A grant moves only while no other consent event of its scope came
    /// before it, so every scope's steps keep their order.
    static func carryCreationConsent(in events: inout [ContactEvent], from first: Int) {
        guard first < events.count, case .contactCreated(let creation) = events[0] else { return }
        var created: ContactCreated? = creation
        carryCreationConsent(into: &created, from: &events, first: first)
        if let created { events[0] = .contactCreated(created) }
    }

    /// The same, into the creation `changes` is deciding (`events[0]` is then stored once).
    private static func carryCreationConsent(into creation: inout ContactCreated?, from events: inout [ContactEvent], first: Int) {
        guard first < events.count, var created = creation.take() else { return }
        defer { creation = created }
        // Room for every grant: the table grew by one allocation per grant before.
        created.consents.reserveCapacity(created.consents.count + events.count - first)
        var kept = first
        var stayed = [ConsentScope]()
        for index in first..<events.count {
            if case .consentGranted(let granted) = events[index], !stayed.contains(granted.scope),
               !created.consents.contains(where: { $0.scope == granted.scope }),
               let carried = CreationConsent(carrying: granted) {
                created.consents.append(carried)
                continue
            }
            if let scope = events[index].consentScope { stayed.append(scope) }
            // Moved down in place: a copy of the event was made (a retain per value) for every
            // consent event of a new contact, carried or not.
            if kept != index { events.swapAt(kept, index) }
            kept += 1
        }
        guard kept < events.count else { return }
        events.removeSubrange(kept...)
    }
}
