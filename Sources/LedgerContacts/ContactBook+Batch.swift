import LedgerDomain
import LedgerIdentity
import LedgerProjections
import LedgerStore
import Logging
import Synchronization

/// One contact request of a batch: the input, where it came from, and its event ids.
public struct UpsertItem: Sendable {
    /// What the request says about the contact.
    public var input: ContactInput
    /// Where it came from (a file row, an API request).
    public var source: Source
    /// The id of the request's n-th event.
    public var ids: @Sendable (Int) -> EventID
    /// The input's identifiers as `ContactBook.normalize` gave them, when the caller normalised
    /// them ahead (a bulk import does, on another core); nil: `upsert` normalises them.
    public var identifiers: Result<ContactIdentifiers, ContactError>?
    /// The request's events as a new contact, decided and sealed ahead
    /// (`ContactBook.prepareCreation`); taken only if the request does create a contact.
    public var prepared: PreparedCreation?

    /// Describes one request.
    public init(
        input: ContactInput,
        source: Source,
        identifiers: Result<ContactIdentifiers, ContactError>? = nil,
        prepared: PreparedCreation? = nil,
        ids: @escaping @Sendable (Int) -> EventID = { _ in .timeOrdered() }
    ) {
        self.input = input
        self.source = source
        self.identifiers = identifiers
        self.prepared = prepared
        self.ids = ids
    }
}

extension ContactBook {
    /// Upserts a batch of contact requests in one durable transaction, in order: a later
    /// request sees what an earlier one did (the same contact twice in a file: the later row
    /// wins). A request that is refused (bad identifier, identity conflict, bad field) is
    /// reported in its slot and does not stop the others.
    ///
    /// With `dryRun`, everything is decided and checked but nothing is written; new contacts
    /// are then reported with stream 0. A `progress` mark is recorded in the same transaction
    /// (a bulk import's batch number), even when no request changed anything. `freshness`
    /// says which projection the first decision reads; a decision again after a conflict
    /// always reads it caught up.
    public func upsert(
        _ items: [UpsertItem],
        match: MatchRule,
        options: UpsertOptions = UpsertOptions(),
        channel: EntryChannel,
        actor: Actor,
        dryRun: Bool = false,
        progress: ProgressMark? = nil,
        freshness: ProjectionFreshness = .caughtUp
    ) throws -> [Result<UpsertOutcome, ContactError>] {
        var consent = ConsentTally()
        return try upsert(items, match: match, options: options, channel: channel, actor: actor, dryRun: dryRun, progress: progress, freshness: freshness, consent: &consent)
    }

    /// `upsert`, adding to `consent` what the requests recorded (or, with `dryRun`, would
    /// record) on each consent channel.
    public func upsert(
        _ items: [UpsertItem],
        match: MatchRule,
        options: UpsertOptions = UpsertOptions(),
        channel: EntryChannel,
        actor: Actor,
        dryRun: Bool = false,
        progress: ProgressMark? = nil,
        freshness: ProjectionFreshness = .caughtUp,
        consent: inout ConsentTally
    ) throws -> [Result<UpsertOutcome, ContactError>] {
        try upsertDeciding(items, match: match, options: options, channel: channel, actor: actor, dryRun: dryRun, progress: progress, freshness: freshness, consent: &consent)
    }

    /// `upsert`: decides the batch against the projection and appends it, deciding again when
    /// another writer got in between. No lock is held: conflicts are found where the write
    /// happens (expected stream versions, and identity claims for new identifiers).
    ///
    /// With `splitting` (a bulk import's batch, which need not be one transaction), a batch
    /// refused twice is split in halves, each decided and appended on its own, the first
    /// without `progress` and the second with it. A writer that keeps changing some of the
    /// batch's contacts (the API beside an import) then costs smaller and smaller batches,
    /// whose decisions take less time than that writer takes to get in between, instead of
    /// failing the import. A crash between the halves leaves the mark before the batch: the
    /// rerun redoes it, and the first half's events, already recorded under the same ids, are
    /// found and not written twice.
    func upsertDeciding(
        _ items: [UpsertItem],
        match: MatchRule,
        options: UpsertOptions,
        channel: EntryChannel,
        actor: Actor,
        dryRun: Bool,
        progress: ProgressMark?,
        splitting: Bool = false,
        freshness: ProjectionFreshness = .caughtUp,
        consent: inout ConsentTally
    ) throws -> [Result<UpsertOutcome, ContactError>] {
        var attempt = 0
        while true {
            attempt += 1
            if splitting, attempt > Self.decisionsBeforeSplitting, items.count > 1 {
                splitCounter.add(1, ordering: .relaxed)
                let half = items.count / 2
                var outcomes = try upsertDeciding(
                    Array(items[..<half]), match: match, options: options, channel: channel, actor: actor,
                    dryRun: false, progress: nil, splitting: true, consent: &consent)
                outcomes += try upsertDeciding(
                    Array(items[half...]), match: match, options: options, channel: channel, actor: actor,
                    dryRun: false, progress: progress, splitting: true, consent: &consent)
                return outcomes
            }
            var plan = try BatchPlan(book: self, match: match, options: options, channel: channel, freshness: attempt == 1 ? freshness : .caughtUp)
            try plan.add(items, actor: actor)
            if dryRun {
                consent.add(plan.consent)
                return plan.outcomes(streams: [:])
            }
            let (requests, planned) = plan.requests()
            guard !requests.isEmpty || progress != nil else { return plan.outcomes(streams: [:]) }
            do {
                try beforeAppend.withLock { $0 }?(attempt, items.count)
                let results = try ledger.append(try sealed(requests, keys: ledger.keyRing()), progress: progress)
                projectCommitted { try plan.project(planned, results: results) }
                consent.add(plan.consent)
                return plan.outcomes(planned, results: results)
            } catch let error as LedgerError where error.code == .wrongExpectedVersion && attempt < Self.maximumDecisions {
                // Another writer changed one of these contacts, or took one of the identifiers
                // claimed, since the projection's snapshot: decide again on fresh state.
                decidedAgainCounter.add(1, ordering: .relaxed)
                ledger.logger.notice("contact batch decided again after a conflict", metadata: ["attempt": "\(attempt)", "contacts": "\(items.count)"])
                continue
            }
        }
    }
}

/// The events a batch will append, per contact, and what each request did.
///
/// Identities are resolved against the batch's own changes first, then against one read
/// snapshot of the projection for the whole batch. Each contact's events are kept as domain
/// events too, so that after the append the projection can be given the folded states
/// directly (`project`) instead of reading the batch back from the log.
struct BatchPlan {
    /// A contact of the batch: one that exists, or the n-th new one.
    enum Key: Hashable {
        case existing(StreamID)
        case new(Int)
    }

    struct Contact {
        var key: Key
        /// The state the projection holds (nil: new).
        var base: ContactState?
        var baseVersion: UInt64
        /// `base` with every event of `events` before `unfolded` folded in (stream and time
        /// are placeholders): what a later request of the batch is compared with.
        var state: ContactState?
        var unfolded = 0
        var events: [ContactEvent] = []
        var recorded: [NewEvent] = []
        /// A new contact's events prepared ahead: recorded before `recorded`, sealed under its
        /// key, folded to its state (unplaced: `EventMeta.unplaced`); `events` and `recorded` then hold only
        /// what later requests of the batch add, and `state` stays nil until they are folded.
        var creation: PreparedCreation?
        /// Taken over from the batch before, still in flight when this one was planned
        /// (`UpsertPipeline`): `base` and `baseVersion` are that batch's outcome, known once it
        /// is appended and projected (`settle`, `loadCarriedBases`).
        var carried = false

        /// The working state: `state` once set, else the prepared creation's.
        var working: ContactState? {
            state ?? creation?.state
        }
    }

    /// What the plan needs to know of one of its append requests once it is appended: which
    /// contact it is for, where that contact is in `contacts` (nil: the schema stream), and
    /// how many events it carries. Kept apart from the request itself, which goes to the
    /// writer: holding the requests as well copied each (a retain per part) and kept it
    /// alive until the batch was projected.
    struct Planned {
        let key: Key
        let slot: Int?
        let eventCount: Int
    }

    /// The batch before this one, planned but not yet projected when this one is planned
    /// (`UpsertPipeline`): its changes override what the projection says.
    struct Overlay {
        let owners: [[String: Key?]]
        let contacts: [Contact]
        let slots: [Key: Int]
    }

    let book: ContactBook
    let directory: ContactDirectory
    let match: MatchRule
    let options: UpsertOptions
    let channel: EntryChannel
    let checkpoint: UInt64
    /// The projection position the batch's contacts were read at (`add`): their expected
    /// versions are as of it, and identity claims are checked against what came after it.
    var decidedAt: UInt64
    var rules: ContactFieldRules
    var contacts: [Contact] = []
    var slots: [Key: Int] = [:]
    var newContacts = 0
    /// Identifiers added (a key) or removed (nil) by this batch, by kind, overriding the projection.
    var owners: [[String: Key?]] = Array(repeating: [:], count: IdentifierKind.allCases.count)
    var results: [Result<(Key, Bool, Int), ContactError>] = []
    /// What the accepted requests do on each consent channel.
    var consent = ConsentTally()
    /// Custom field declarations made by this batch, for the schema stream.
    var schemaEvents: [NewEvent] = []
    var definitions: [FieldDefined] = []
    /// The schema stream, once the ledger has one.
    var schemaStream: StreamID?
    /// The schema stream's version as this plan read it (nil: not known, a pipelined plan),
    /// so that two writers declaring fields at once cannot both append unchecked.
    var schemaVersion: UInt64?
    /// The batch in flight before this one (`UpsertPipeline`), until this one is settled.
    var previous: Overlay?
    /// Whether every contact's `base` is what the projection holds before this batch: false
    /// when carried contacts could not be read back, and `project` then leaves the batch to
    /// the runner's catch-up from the log.
    var basesKnown = true
    /// A bulk import's filter of the identifiers the projection may hold: identifiers it rules
    /// out are not looked up (`UpsertPipeline`).
    let filter: IdentifierFilter?

    init(book: ContactBook, match: MatchRule, options: UpsertOptions, channel: EntryChannel, filter: IdentifierFilter? = nil, freshness: ProjectionFreshness = .caughtUp) throws {
        self.book = book
        self.filter = filter
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

    /// Plans every item in order, reading the projection in one snapshot, then reads the
    /// stream versions of the existing contacts involved in one ledger read.
    mutating func add(_ items: [UpsertItem], actor: Actor) throws {
        // Sized once: growing these tables by doubling copied and rehashed them several
        // times per batch (and faulted in fresh pages for each copy).
        results.reserveCapacity(items.count)
        contacts.reserveCapacity(items.count)
        slots.reserveCapacity(items.count)
        for kind in [IdentifierKind.email, .phone] { owners[Self.slot(kind)].reserveCapacity(items.count) }
        let directory = self.directory
        try directory.read { snapshot in
            decidedAt = try snapshot.checkpoint()
            let filtering = try filter?.covers(snapshot, carried: previous?.owners) ?? false
            let hashes = filtering ? filter?.hashes(of: items) ?? [] : []
            for row in items.indices { add(items, row, actor: actor, snapshot: snapshot, filtering: filtering, hashes: hashes) }
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
    private mutating func add(_ items: [UpsertItem], _ row: Int, actor: Actor, snapshot: ContactDirectory.Snapshot, filtering: Bool, hashes: [UInt64]) {
        do {
            let identifiers = try (items[row].identifiers ?? book.normalize(items[row].input)).get()
            try book.requireMatchIdentifier(match, identifiers)
            let rowHashes = hashes.isEmpty ? nil : hashes[(row * Self.kinds.count)..<((row + 1) * Self.kinds.count)]
            let key = try resolve(identifiers, snapshot: snapshot, filtering: filtering, hashes: rowHashes)
            // A `.new` key the batch in flight owns names that batch's new contact, not a new one.
            if case .new = key, slots[key] == nil, previous?.slots[key] == nil, let prepared = items[row].prepared, prepared.holds(under: rules, actor: actor, channel: channel) {
                #if DEBUG
                var checking = rules
                let decided = (try? book.changes(items[row].input, identifiers: identifiers, state: nil, channel: channel, rules: &checking, options: options)) ?? []
                var folded: ContactState?
                for (index, event) in decided.enumerated() { ContactState.fold(into: &folded, event, meta: .unplaced(index)) }
                assert(decided.count == prepared.encoded.count && folded == prepared.state, "a prepared creation differs from the events decided now")
                #endif
                add(prepared, key: key, identifiers: identifiers, hashes: rowHashes)
                return
            }
            let slot: Int
            if let known = slots[key] {
                slot = known
            } else if let carried = previous?.carried(key) {
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
                own(event, key: key)
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
            results.append(.failure(ContactError(.invalidRequest, "\(error)")))
        }
    }

    /// Takes a new contact's events as prepared ahead: the same events `changes` gives, already
    /// encoded and sealed.
    private mutating func add(_ prepared: PreparedCreation, key: Key, identifiers: ContactIdentifiers, hashes: ArraySlice<UInt64>?) {
        slots[key] = contacts.count
        // Read where the creation shares it, kept alive explicitly: otherwise the optimiser
        // copies the whole state out first.
        let shared = prepared.shared
        withExtendedLifetime(shared) {
            for kind in IdentifierKind.allCases {
                for value in shared.state.identifiers(kind) {
                    owners[Self.slot(kind)][value] = .some(key)
                    if let hash = Self.hash(of: kind, value, identifiers: identifiers, hashes: hashes) {
                        filter?.insert(hash: hash)
                    } else {
                        filter?.insert(kind, value)
                    }
                }
            }
        }
        // The prepared state stays with the creation (a reference, not a copy of the state):
        // `working` reads it for a later request of the same contact, `project` places it.
        contacts.append(Contact(key: key, base: nil, baseVersion: 0, state: nil, creation: prepared))
        consent.add(prepared.consent)
        results.append(.success((key, true, prepared.encoded.count)))
    }

    /// Records an identifier `event` adds to or removes from contact `key` in this batch.
    private mutating func own(_ event: ContactEvent, key: Key) {
        switch event {
        case .identifierAdded(let change):
            if let value = change.value.value {
                owners[Self.slot(change.kind)][value] = .some(key)
                filter?.insert(change.kind, value)
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

    static func slot(_ kind: IdentifierKind) -> Int {
        switch kind {
        case .email: 0
        case .phone: 1
        case .externalId: 2
        }
    }

    /// The contact the identifiers name (this batch's own changes first), or a new one.
    private mutating func resolve(_ identifiers: ContactIdentifiers, snapshot: ContactDirectory.Snapshot, filtering: Bool, hashes: ArraySlice<UInt64>?) throws -> Key {
        var found = [(IdentifierKind, Key)]()
        for kind in [IdentifierKind.email, .phone, .externalId] {
            guard let value = identifiers[kind] else { continue }
            let owner: Key?
            let hash = filtering ? Self.hash(of: kind, value, identifiers: identifiers, hashes: hashes) ?? IdentifierFilter.hash(kind, value) : nil
            if let hash, let filter, !filter.mayHold(hash: hash) {
                // Ruled out by the import's filter, which holds every identifier the projection
                // held and every one a plan gave since (this batch's and the one in flight), so
                // neither batch's own changes can name it either.
                owner = nil
            } else if let overridden = owners[Self.slot(kind)][value] {
                owner = overridden
            } else if let overridden = previous?.owners[Self.slot(kind)][value] {
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
        filter?.looked(found: found != nil)
        return found.map { .existing($0) }
    }

    /// The filter hash of `value` worked out ahead (`IdentifierFilter.hashes(of:)`), when it is
    /// the row's identifier of `kind`.
    private static func hash(of kind: IdentifierKind, _ value: String, identifiers: ContactIdentifiers, hashes: ArraySlice<UInt64>?) -> UInt64? {
        guard let hashes, identifiers[kind] == value else { return nil }
        let hash = hashes[hashes.startIndex + slot(kind)]
        return hash == 0 ? nil : hash
    }

    /// `IdentifierKind.allCases`, read once (each read makes a new array).
    static let kinds = IdentifierKind.allCases

    private static func describe(_ key: Key) -> String {
        switch key {
        case .existing(let id): "contact \(id)"
        case .new: "a contact created earlier in this batch"
        }
    }

    /// One append request per contact with events, in first-seen order, and what the plan
    /// keeps of each.
    func requests() -> (requests: [AppendRequest], planned: [Planned]) {
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
    func project(_ requests: [Planned], results: [AppendResult]) throws {
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
                skipped = creation.encoded.count
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
        guard try book.recordInOrder(folded, definitions: declared, positions: positions, headHash: headHash) else {
            try book.runner.catchUp(store: book.store)
            return
        }
        filter?.advance(through: positions)
    }

    /// The positions of the batch's events when they are one run, all newly appended (one
    /// job is one transaction, so they share one time); nil otherwise.
    static func contiguousPositions(_ requests: [Planned], _ results: [AppendResult]) -> ClosedRange<UInt64>? {
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
    func outcomes(_ requests: [Planned], results: [AppendResult]) -> [Result<UpsertOutcome, ContactError>] {
        var streams = [Key: StreamID]()
        streams.reserveCapacity(requests.count)
        for index in requests.indices { streams[requests[index].key] = results[index].stream }
        return outcomes(streams: streams)
    }

    /// Each request's outcome, with new contacts' numbers filled in.
    func outcomes(streams: [Key: StreamID]) -> [Result<UpsertOutcome, ContactError>] {
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
