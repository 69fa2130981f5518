import LedgerDomain
import LedgerIdentity
import LedgerProjections
import LedgerStore

/// The events a batch will append, per contact, and what each request did.
///
/// Identities are resolved against the batch's own changes first, then against one read
/// snapshot of the projection for the whole batch. Each contact's events are kept as domain
/// events too, so that after the append the projection can be given the folded states
/// directly (`project`) instead of reading the batch back from the log.
///
/// This is the plain path every upsert walks. A bulk writer may lay a `BatchAid` over it (an
/// identifier filter, the batch still in flight, new contacts prepared ahead); the members a
/// pipelined import reads and settles (LedgerImport's `BatchPlan+Pipeline`) are `package`.
package struct BatchPlan {
    /// A contact of the batch: one that exists, or the n-th new one.
    package enum Key: Hashable {
        case existing(StreamID)
        case new(Int)
    }

    /// One contact of the batch and what the batch does to it.
    package struct Contact {
        package var key: Key
        /// The state the projection holds (nil: new).
        package var base: ContactState?
        package var baseVersion: UInt64
        /// `base` with every event of `events` before `unfolded` folded in (stream and time
        /// are placeholders): what a later request of the batch is compared with.
        package var state: ContactState?
        package var unfolded = 0
        package var events: [ContactEvent] = []
        var recorded: [NewEvent] = []
        /// A new contact's events prepared ahead (given by the aid): recorded before `recorded`,
        /// sealed under its key, folded to its state (unplaced: `EventMeta.unplaced`); `events`
        /// and `recorded` then hold only what later requests of the batch add, and `state`
        /// stays nil until they are folded.
        package var creation: (any PreparedContact)?
        /// Taken over from the batch still in flight when this one was planned (the aid's
        /// `inFlight`): `base` and `baseVersion` are that batch's outcome, known once it is
        /// appended and projected (LedgerImport's `settle`, `loadCarriedBases`).
        package var carried = false

        /// The working state: `state` once set, else the prepared creation's.
        package var working: ContactState? {
            state ?? creation?.state
        }
    }

    /// What a `BatchAid` knows of an identifier's holder before the plan looks.
    package enum KnownOwner {
        /// Certainly held by no contact, here or in the projection: nothing is looked up.
        case absent
        /// Held by this contact (nil: by none) unless the batch's own changes say otherwise.
        case held(Key?)
        /// Not known: the batch's own changes, then the projection, are asked.
        case unknown
    }

    /// What the plan needs to know of one of its append requests once it is appended: which
    /// contact it is for, where that contact is in `contacts` (nil: the schema stream), and
    /// how many events it carries. Kept apart from the request itself, which goes to the
    /// writer: holding the requests as well copied each (a retain per part) and kept it
    /// alive until the batch was projected.
    package struct Planned {
        package let key: Key
        package let slot: Int?
        package let eventCount: Int
    }

    package let book: ContactBook
    package let directory: ContactDirectory
    package let match: MatchRule
    package let options: UpsertOptions
    package let channel: EntryChannel
    package let checkpoint: UInt64
    /// The projection position the batch's contacts were read at (`add`): their expected
    /// versions are as of it, and identity claims are checked against what came after it.
    package var decidedAt: UInt64
    package var rules: ContactFieldRules
    package var contacts: [Contact] = []
    package var slots: [Key: Int] = [:]
    package var newContacts = 0
    /// Identifiers added (a key) or removed (nil) by this batch, by kind, overriding the projection.
    package var owners: [[String: Key?]] = Array(repeating: [:], count: IdentifierKind.allCases.count)
    package var results: [Result<(Key, Bool, Int), ContactError>] = []
    /// What the accepted requests do on each consent channel.
    package var consent = ConsentTally()
    /// Custom field declarations made by this batch, for the schema stream.
    var schemaEvents: [NewEvent] = []
    var definitions: [FieldDefined] = []
    /// The schema stream, once the ledger has one.
    package var schemaStream: StreamID?
    /// The schema stream's version as this plan read it (nil: not known, a pipelined plan),
    /// so that two writers declaring fields at once cannot both append unchecked.
    var schemaVersion: UInt64?
    /// Whether every contact's `base` is what the projection holds before this batch: false
    /// when carried contacts could not be read back, and `project` then leaves the batch to
    /// the runner's catch-up from the log.
    package var basesKnown = true
    /// A bulk writer's aid (nil: the plain path).
    package let aid: (any BatchAid)?
    /// Whether `project` may leave the batch to the book's overlay when another writer's batch
    /// before it is not recorded yet (`ContactBook.recordInOrder`): the service's batches.
    package var deferringRecord = false

    /// A plan against the projection, caught up with the log first.
    package init(book: ContactBook, match: MatchRule, options: UpsertOptions, channel: EntryChannel, aid: (any BatchAid)? = nil, freshness: ProjectionFreshness = .caughtUp) throws {
        self.book = book
        self.aid = aid
        directory = try book.directory(freshness)
        checkpoint = try directory.checkpoint()
        decidedAt = checkpoint
        rules = ContactFieldRules(customFields: try directory.fieldTypes(), today: CalendarDate(utcDayOf: Ledger.systemClock()))
        schemaStream = try directory.schemaStream()
        if let schemaStream { schemaVersion = try book.ledger.versions(of: [schemaStream], through: checkpoint).first }
        self.match = match
        self.options = options
        self.channel = channel
    }

    /// A plan for the batch after `previous`, made before `previous` is projected: it reads the
    /// projection as of the same position, with the same rules and schema stream (its version
    /// not known), and keeps numbering new contacts where `previous` stopped, so that `.new(n)`
    /// names one contact across both. Nothing here catches the projection up: that would read
    /// the batch in flight back from the log. `aid` must lay `previous` over the projection.
    package init(continuing previous: BatchPlan, aid: any BatchAid) {
        book = previous.book
        directory = ContactDirectory(store: previous.book.store)
        checkpoint = previous.checkpoint
        decidedAt = previous.decidedAt
        rules = previous.rules
        schemaStream = previous.schemaStream
        match = previous.match
        options = previous.options
        channel = previous.channel
        newContacts = previous.newContacts
        self.aid = aid
    }

    /// Plans every item in order, reading the projection in one snapshot, then reads the
    /// stream versions of the existing contacts involved in one ledger read.
    package mutating func add(_ items: [UpsertItem], actor: Actor) throws {
        // Sized once: growing these tables by doubling copied and rehashed them several
        // times per batch (and faulted in fresh pages for each copy).
        results.reserveCapacity(items.count)
        contacts.reserveCapacity(items.count)
        slots.reserveCapacity(items.count)
        for kind in [IdentifierKind.email, .phone] { owners[Self.slot(kind)].reserveCapacity(items.count) }
        let directory = self.directory
        try directory.read { snapshot in
            decidedAt = try snapshot.checkpoint()
            try aid?.begin(items, snapshot: snapshot)
            for row in items.indices { add(items, row, actor: actor, snapshot: snapshot) }
        }
        let existing = contacts.indices.compactMap { index -> (Int, StreamID)? in
            if case .existing(let id) = contacts[index].key { return (index, id) }
            return nil
        }
        guard !existing.isEmpty else { return }
        // As of the projection's snapshot, not the log's end: a change appended since is then
        // a version conflict at the write, and the batch is decided again.
        let versions = try book.ledger.versions(of: existing.map(\.1), through: decidedAt)
        for ((index, _), version) in zip(existing, versions) { contacts[index].baseVersion = version }
    }

    /// Plans `items[row]`. The item is read in place, a field at a time: passing
    /// `items[row]` (even to a borrowing parameter) copied the whole item, a retain for each
    /// of its input's values, its source and closures, for every request.
    private mutating func add(_ items: [UpsertItem], _ row: Int, actor: Actor, snapshot: ContactDirectory.Snapshot) {
        do {
            let identifiers = try (items[row].identifiers ?? book.normalize(items[row].input)).get()
            try book.requireMatchIdentifier(match, identifiers)
            let key = try resolve(identifiers, row: row, snapshot: snapshot)
            if case .new = key, slots[key] == nil, let aid, let prepared = aid.creation(items, row: row, key: key, identifiers: identifiers, rules: rules, options: options, actor: actor, channel: channel) {
                add(prepared, key: key, row: row, identifiers: identifiers)
                return
            }
            let slot: Int
            if let known = slots[key] {
                slot = known
            } else if let carried = aid?.inFlight(key) {
                slot = contacts.count
                slots[key] = slot
                contacts.append(Contact(key: key, base: carried, baseVersion: 0, state: carried, carried: true))
            } else {
                let state: ContactState?
                if case .existing(let id) = key { state = try snapshot.contact(id) } else { state = nil }
                slot = contacts.count
                slots[key] = slot
                contacts.append(Contact(key: key, base: state, baseVersion: 0, state: state))
            }
            catchUpState(slot)
            let events = try book.changes(items[row].input, identifiers: identifiers, state: contacts[slot].working, channel: channel, rules: &rules, options: options)
            let wasNew = contacts[slot].working == nil
            for (index, event) in events.enumerated() {
                own(event, key: key, row: row, identifiers: identifiers)
                let recorded = event.newEvent(id: items[row].ids(index), actor: actor, source: items[row].source)
                // Field declarations belong to the schema stream, not to the contact that
                // happened to use the field first.
                if case .fieldDefined(let definition) = event {
                    schemaEvents.append(recorded)
                    definitions.append(definition)
                } else {
                    contacts[slot].events.append(event)
                    contacts[slot].recorded.append(recorded)
                }
            }
            if items[row].input.consent != nil { consent.add(ConsentTally.Row(events)) }
            results.append(.success((key, wasNew, events.count)))
        } catch let error as ContactError {
            results.append(.failure(error))
        } catch {
            results.append(.failure(ContactError(.invalidRequest, "\(error)", cause: error)))
        }
    }

    /// Takes a new contact's events as prepared ahead: the same events `changes` gives, already
    /// encoded and sealed.
    private mutating func add(_ prepared: any PreparedContact, key: Key, row: Int, identifiers: ContactIdentifiers) {
        slots[key] = contacts.count
        // Read where the creation shares it, kept alive explicitly: otherwise the optimiser
        // copies the whole state out first.
        let shared = prepared.shared
        withExtendedLifetime(shared) {
            for kind in IdentifierKind.allCases {
                shared.forEachIdentifier(kind) { value in
                    owners[Self.slot(kind)][value] = .some(key)
                    aid?.gives(kind, value, row: row, identifiers: identifiers)
                }
            }
        }
        // The prepared state stays with the creation (a reference, not a copy of the state):
        // `working` reads it for a later request of the same contact, `project` places it.
        contacts.append(Contact(key: key, base: nil, baseVersion: 0, state: nil, creation: prepared))
        consent.add(prepared.consent)
        results.append(.success((key, true, prepared.eventCount)))
    }

    /// Records an identifier `event` adds to or removes from contact `key` in this batch.
    private mutating func own(_ event: ContactEvent, key: Key, row: Int, identifiers: ContactIdentifiers) {
        // A creation's identifiers (decision 0026) are owned as the events they stand for.
        if case .contactCreated(let created) = event, !created.identifiers.isEmpty {
            for fact in event.facts { own(fact, key: key, row: row, identifiers: identifiers) }
            return
        }
        switch event {
        case .identifierAdded(let change):
            if let value = change.value.value {
                owners[Self.slot(change.kind)][value] = .some(key)
                aid?.gives(change.kind, value, row: row, identifiers: identifiers)
            }
        case .identifierRemoved(let change):
            if let value = change.value.value { owners[Self.slot(change.kind)][value] = .some(nil) }
        default:
            break
        }
    }

    /// Folds the events of contact `slot` not yet in its working state (placeholder stream,
    /// position and time, `EventMeta.unplaced`: only identifiers, fields, segments and consent
    /// statuses are compared, and a consent set in this batch reads as set now). Most contacts appear once in
    /// a batch and are never folded here, only once with their real places in `project`.
    private mutating func catchUpState(_ slot: Int) {
        // Checked in place: copying the contact costs a retain per field, for every request.
        guard contacts[slot].unfolded < contacts[slot].events.count else { return }
        let contact = contacts[slot]
        let placeholder: StreamID
        if case .existing(let id) = contact.key { placeholder = id } else { placeholder = StreamID(0) }
        var state = contact.working
        for event in contact.events[contact.unfolded...] {
            state = ContactState.fold(state, event, meta: EventMeta(position: 0, stream: placeholder, recordedAt: EventMeta.unplacedTime))
        }
        contacts[slot].state = state
        contacts[slot].unfolded = contact.events.count
    }

    /// Where identifiers of `kind` are in `owners` (and in a bulk writer's tables by kind).
    package static func slot(_ kind: IdentifierKind) -> Int {
        switch kind {
        case .email: 0
        case .phone: 1
        case .externalId: 2
        }
    }

    /// The contact the identifiers name (this batch's own changes first), or a new one.
    private mutating func resolve(_ identifiers: ContactIdentifiers, row: Int, snapshot: ContactDirectory.Snapshot) throws -> Key {
        var found = [(IdentifierKind, Key)]()
        for kind in [IdentifierKind.email, .phone, .externalId] {
            guard let value = identifiers[kind] else { continue }
            let owner: Key?
            let known = aid?.owner(kind, value, row: row, identifiers: identifiers) ?? .unknown
            if case .absent = known {
                // The aid knows nobody holds it, in the projection or in the batches' own changes.
                owner = nil
            } else if let overridden = owners[Self.slot(kind)][value] {
                owner = overridden
            } else if case .held(let overridden) = known {
                owner = overridden
            } else {
                owner = try lookUp(kind, value, in: snapshot)
            }
            if let owner { found.append((kind, owner)) }
        }
        if let first = found.first?.1, found.contains(where: { $0.1 != first }) {
            let described = found.map { kind, key in "the \(kind.label) \(identifiers[kind] ?? "") belongs to \(Self.describe(key))" }.joined(separator: ", ")
            throw ContactError(
                .identityConflict,
                "identity conflict: \(described); merge them on purpose with `ledger contact merge`",
                contacts: found.compactMap { if case .existing(let id) = $0.1 { id } else { nil } }.sorted()
            )
        }
        let matchKinds: [IdentifierKind] = switch match {
        case .email: [.email]
        case .phone: [.phone]
        case .emailOrPhone: [.email, .phone]
        case .externalId: [.externalId]
        }
        if let key = found.first(where: { matchKinds.contains($0.0) })?.1 { return key }
        if let (kind, owner) = found.first {
            // The match rule finds no contact, yet another identifier is taken: creating a
            // contact would give one identifier to two contacts.
            throw ContactError(
                .identityConflict,
                "identity conflict: the \(kind.label) \(identifiers[kind] ?? "") belongs to \(Self.describe(owner)), which this \(match.cliSpelling) does not match",
                contacts: { if case .existing(let id) = owner { [id] } else { [] } }()
            )
        }
        guard options.create else {
            throw ContactError(.notCreated, "no contact matches this \(match.cliSpelling), and creating contacts is turned off")
        }
        newContacts += 1
        return .new(newContacts)
    }

    /// The contact the projection says holds an identifier.
    private func lookUp(_ kind: IdentifierKind, _ value: String, in snapshot: ContactDirectory.Snapshot) throws -> Key? {
        let found = try snapshot.find(kind, value)
        aid?.lookedUp(found: found != nil)
        return found.map { .existing($0) }
    }

    /// `IdentifierKind.allCases`, read once (each read makes a new array).
    package static let kinds = IdentifierKind.allCases

    private static func describe(_ key: Key) -> String {
        switch key {
        case .existing(let id): "contact \(id)"
        case .new: "a contact created earlier in this batch"
        }
    }

    /// One append request per contact with events, in first-seen order, and what the plan
    /// keeps of each.
    package func requests() -> (requests: [AppendRequest], planned: [Planned]) {
        var requests = [AppendRequest]()
        var planned = [Planned]()
        requests.reserveCapacity(contacts.count + 1)
        planned.reserveCapacity(contacts.count + 1)
        if !schemaEvents.isEmpty {
            if let schemaStream {
                requests.append(AppendRequest(target: .existing(schemaStream), expected: schemaVersion.map { .exact($0) } ?? .any, events: schemaEvents))
            } else {
                // The store's one schema stream: a second writer making it at the same time
                // loses this claim and decides again, finding the first one's stream.
                let only = IdentityChanges(claims: [book.ledger.identityClaim(kind: 0, value: "schema stream")], decidedAt: checkpoint)
                requests.append(AppendRequest(target: .newIn(.schema), expected: .noStream, events: schemaEvents, identity: only))
            }
            planned.append(Planned(key: .new(0), slot: nil, eventCount: schemaEvents.count))
        }
        for slot in contacts.indices where !contacts[slot].recorded.isEmpty || contacts[slot].creation != nil {
            let key = contacts[slot].key
            switch key {
            case .existing(let id):
                let identity = book.identityChanges(before: contacts[slot].base?.heldIdentifiers ?? [], events: contacts[slot].events, decidedAt: decidedAt)
                requests.append(AppendRequest(target: .existing(id), expected: .exact(contacts[slot].baseVersion), events: contacts[slot].recorded, identity: identity))
            case .new:
                if let creation = contacts[slot].creation {
                    // The creation's own claims were made on the preparing thread.
                    let identity = contacts[slot].events.isEmpty
                        ? IdentityChanges(claims: creation.claims, decidedAt: decidedAt)
                        : book.identityChanges(before: [], start: creation.state.heldIdentifiers, events: contacts[slot].events, decidedAt: decidedAt)
                    requests.append(AppendRequest(target: .new, expected: .noStream, events: contacts[slot].recorded, dataKey: creation.dataKey, encoded: creation.encoded, identity: identity))
                } else {
                    let identity = book.identityChanges(before: [], events: contacts[slot].events, decidedAt: decidedAt)
                    requests.append(AppendRequest(target: .new, expected: .noStream, events: contacts[slot].recorded, identity: identity))
                }
            }
            planned.append(Planned(key: key, slot: slot, eventCount: requests[requests.count - 1].eventCount))
        }
        return (requests, planned)
    }

    /// Brings the projection up to the batch just appended: each contact's events folded once
    /// from its base state with their real positions, stream and time, written with the
    /// checkpoint once the projection holds the events before the batch
    /// (`ContactBook.recordInOrder`). When the batch's events are not one run of new events
    /// (some were already recorded), the runner catches up from the log.
    package func project(_ requests: [Planned], results: [AppendResult]) throws {
        guard basesKnown, let positions = Self.contiguousPositions(requests, results),
              let recordedAt = try book.ledger.event(at: positions.lowerBound)?.recordedAt,
              let headHash = try book.ledger.chainHash(at: positions.upperBound)
        else {
            try book.runner.catchUp(store: book.store)
            return
        }
        var folded = [FoldedContact]()
        folded.reserveCapacity(results.count)
        var schema: StreamID?
        // By index, reading each contact in place: copying one costs a retain per field.
        for index in requests.indices {
            let key = requests[index].key
            let stream = results[index].stream
            guard key != .new(0) else {
                schema = stream
                continue
            }
            guard let slot = requests[index].slot else { continue }
            var state: ContactState?
            var skipped = 0
            if let creation = contacts[slot].creation {
                guard !contacts[slot].events.isEmpty else {
                    // Only the prepared events (most new contacts): recorded from the state
                    // the creation shares, not from a copy of it.
                    folded.append(FoldedContact(stream: stream, placing: creation.shared, recordedAt: recordedAt, firstPosition: results[index].positions.first ?? 0))
                    continue
                }
                state = creation.state.placed(stream: stream, recordedAt: recordedAt, firstPosition: results[index].positions.first ?? 0)
                skipped = creation.eventCount
            } else {
                state = contacts[slot].base
            }
            if !contacts[slot].events.isEmpty {
                for (event, position) in zip(contacts[slot].events, results[index].positions.dropFirst(skipped)) {
                    state = ContactState.fold(state, event, meta: EventMeta(position: position, stream: stream, recordedAt: recordedAt))
                }
            }
            folded.append(FoldedContact(stream: stream, old: contacts[slot].base, new: state))
        }
        let declared = schema.map { stream in definitions.map { ($0, stream) } } ?? []
        guard try book.recordInOrder(folded, definitions: declared, positions: positions, headHash: headHash, deferring: deferringRecord) else {
            try book.runner.catchUp(store: book.store)
            return
        }
        aid?.projected(positions)
    }

    /// The positions of the batch's events when they are one run, all newly appended (one
    /// job is one transaction, so they share one time); nil otherwise.
    package static func contiguousPositions(_ requests: [Planned], _ results: [AppendResult]) -> ClosedRange<UInt64>? {
        guard requests.count == results.count, let first = results.first?.positions.first else { return nil }
        var next = first
        for index in requests.indices {
            let result = results[index]
            guard result.duplicates == 0, result.positions.count == requests[index].eventCount else { return nil }
            for position in result.positions {
                guard position == next else { return nil }
                next += 1
            }
        }
        return first...(next - 1)
    }

    /// Each request's outcome, with the streams an append of `requests` gave new contacts.
    package func outcomes(_ requests: [Planned], results: [AppendResult]) -> [Result<UpsertOutcome, ContactError>] {
        var streams = [Key: StreamID]()
        streams.reserveCapacity(requests.count)
        for index in requests.indices { streams[requests[index].key] = results[index].stream }
        return outcomes(streams: streams)
    }

    /// Each request's outcome, with new contacts' numbers filled in.
    package func outcomes(streams: [Key: StreamID]) -> [Result<UpsertOutcome, ContactError>] {
        results.map { result in
            result.map { key, wasNew, events in
                let id: StreamID = switch key {
                case .existing(let id): id
                case .new: streams[key] ?? StreamID(0)
                }
                if events == 0 { return .unchanged(id) }
                return wasNew ? .created(id, events: events) : .updated(id, events: events)
            }
        }
    }
}
