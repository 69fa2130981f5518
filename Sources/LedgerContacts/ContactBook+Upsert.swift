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
        ids: @escaping (Int) -> EventID = { _ in .timeOrdered() }
    ) throws -> UpsertOutcome {
        let identifiers = try normalizedIdentifiers(input)
        try requireMatchIdentifier(match, identifiers)
        return try lock.withLock { _ in
            // Optimistic concurrency: read, decide, append with the version read; on a
            // conflict (another writer got there first) decide again on fresh state.
            var attempt = 0
            while true {
                attempt += 1
                let directory = try directory()
                let existing = try matchContact(identifiers, match: match, directory: directory)
                let version = try existing.map { try ledger.version(of: $0) } ?? 0
                let state = try existing.flatMap { try directory.contact($0) }
                let fieldTypes = try directory.fieldTypes()
                let events = try changes(input, identifiers: identifiers, state: state, channel: channel, fieldTypes: fieldTypes, options: options)
                guard let existing else {
                    guard options.create else {
                        throw ContactError(.notCreated, "no contact matches this \(match.cliSpelling), and creating contacts is turned off")
                    }
                    let result = try record(events, to: nil, expected: .noStream, actor: actor, source: source, ids: ids)
                    return .created(result.stream, events: events.count)
                }
                if events.isEmpty { return .unchanged(existing) }
                do {
                    _ = try record(events, to: existing, expected: .exact(version), actor: actor, source: source, ids: ids)
                    return .updated(existing, events: events.count)
                } catch let error as LedgerError where error.code == .wrongExpectedVersion && attempt < 5 {
                    continue
                }
            }
        }
    }

    /// Normalised identifiers of `input`, by kind.
    func normalizedIdentifiers(_ input: ContactInput) throws -> [IdentifierKind: String] {
        var identifiers = [IdentifierKind: String]()
        if let email = input.email?.trimmingCharacters(in: .whitespaces), !email.isEmpty {
            identifiers[.email] = try normalizedEmail(email)
        }
        if let phone = input.phone?.trimmingCharacters(in: .whitespaces), !phone.isEmpty {
            identifiers[.phone] = try normalizedPhone(phone)
        }
        if let external = input.externalId?.trimmingCharacters(in: .whitespaces), !external.isEmpty {
            identifiers[.externalId] = external
        }
        return identifiers
    }

    private func requireMatchIdentifier(_ match: MatchRule, _ identifiers: [IdentifierKind: String]) throws {
        let present: Bool
        switch match {
        case .email: present = identifiers[.email] != nil
        case .phone: present = identifiers[.phone] != nil
        case .emailOrPhone: present = identifiers[.email] != nil || identifiers[.phone] != nil
        case .externalId: present = identifiers[.externalId] != nil
        }
        guard present else {
            let needed = match == .emailOrPhone ? "an email or a phone" : "a \(match.cliSpelling)"
            throw ContactError(.missingIdentifier, "the contact's unique id is missing: matching by \(match.cliSpelling) needs \(needed)")
        }
    }

    /// The contact the identifiers name, or nil; a conflict when they name different ones.
    private func matchContact(_ identifiers: [IdentifierKind: String], match: MatchRule, directory: ContactDirectory) throws -> StreamID? {
        var owners = [(IdentifierKind, StreamID)]()
        for kind in [IdentifierKind.email, .phone, .externalId] {
            guard let value = identifiers[kind], let owner = try directory.find(kind, value) else { continue }
            owners.append((kind, owner))
        }
        let distinct = Set(owners.map(\.1))
        if distinct.count > 1 {
            let described = owners.map { "the \($0.0.label) \(identifiers[$0.0] ?? "") belongs to contact \($0.1)" }.joined(separator: ", ")
            throw ContactError(
                .identityConflict,
                "identity conflict: \(described); merge them on purpose with `ledger contact merge`",
                contacts: distinct.sorted()
            )
        }
        let matchKinds: [IdentifierKind] = switch match {
        case .email: [.email]
        case .phone: [.phone]
        case .emailOrPhone: [.email, .phone]
        case .externalId: [.externalId]
        }
        return owners.first { matchKinds.contains($0.0) }?.1
    }

    /// The events that bring `state` (nil: a new contact) to what `input` says.
    private func changes(
        _ input: ContactInput,
        identifiers: [IdentifierKind: String],
        state: ContactState?,
        channel: EntryChannel,
        fieldTypes: [String: FieldType],
        options: UpsertOptions
    ) throws -> [DomainEvent] {
        var events = [DomainEvent]()
        if state == nil { events.append(.contactCreated(ContactCreated(channel: channel))) }
        for kind in [IdentifierKind.email, .phone, .externalId] {
            guard let value = identifiers[kind] else { continue }
            let held = state?.identifiers(kind) ?? []
            if held.contains(value) { continue }
            // A contact has one identifier of each kind: a new one replaces the old.
            for old in held { events.append(.identifierRemoved(IdentifierChange(kind: kind, value: old))) }
            events.append(.identifierAdded(IdentifierChange(kind: kind, value: value)))
        }
        var fieldChanges = [FieldChange]()
        var rules = ContactFieldRules(customFields: fieldTypes, today: CalendarDate(utcDayOf: Ledger.systemClock()))
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
                throw ContactError(.invalidField, "\(error)")
            }
            events.append(.contactFieldsChanged(ContactFieldsChanged(changes: fieldChanges)))
        }
        for segment in input.segments where !(state?.segments.contains(segment) ?? false) {
            events.append(.segmentMemberAdded(SegmentMembership(segment: segment)))
        }
        return events
    }
}
