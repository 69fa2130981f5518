import LedgerDomain
import LedgerIdentity
import LedgerProjections
import LedgerStore
import Synchronization

/// One contact request of a batch: the input, where it came from, and its event ids.
public struct UpsertItem: Sendable {
    /// What the request says about the contact.
    public var input: ContactInput
    /// Where it came from (a file row, an API request).
    public var source: Source
    /// The id of the request's n-th event.
    public var ids: @Sendable (Int) -> EventID

    /// Describes one request.
    public init(input: ContactInput, source: Source, ids: @escaping @Sendable (Int) -> EventID = { _ in .timeOrdered() }) {
        self.input = input
        self.source = source
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
    /// (a bulk import's batch number), even when no request changed anything.
    public func upsert(
        _ items: [UpsertItem],
        match: MatchRule,
        options: UpsertOptions = UpsertOptions(),
        channel: EntryChannel,
        actor: Actor,
        dryRun: Bool = false,
        progress: ProgressMark? = nil
    ) throws -> [Result<UpsertOutcome, ContactError>] {
        try lock.withLock { _ in
            var attempt = 0
            while true {
                attempt += 1
                var plan = try BatchPlan(book: self, match: match, options: options, channel: channel)
                for item in items { plan.add(item, actor: actor) }
                guard try plan.isCurrent() else { continue }
                if dryRun { return plan.outcomes(streams: [:]) }
                let requests = plan.requests()
                guard !requests.isEmpty || progress != nil else { return plan.outcomes(streams: [:]) }
                do {
                    let results = try ledger.append(try sealed(requests.map(\.request), keys: ledger.keyRing()), progress: progress)
                    try runner.catchUp(store: store)
                    var streams = [BatchPlan.Key: StreamID]()
                    for (planned, result) in zip(requests, results) { streams[planned.key] = result.stream }
                    return plan.outcomes(streams: streams)
                } catch let error as LedgerError where error.code == .wrongExpectedVersion && attempt < 5 {
                    // Another writer changed one of these contacts since we read it: decide again.
                    continue
                }
            }
        }
    }
}

/// The events a batch will append, per contact, and what each request did.
struct BatchPlan {
    /// A contact of the batch: one that exists, or the n-th new one.
    enum Key: Hashable {
        case existing(StreamID)
        case new(Int)
    }

    struct Contact {
        var state: ContactState?
        let baseVersion: UInt64
        var events: [NewEvent] = []
    }

    let book: ContactBook
    let directory: ContactDirectory
    let match: MatchRule
    let options: UpsertOptions
    let channel: EntryChannel
    let checkpoint: UInt64
    var fieldTypes: [String: FieldType]
    var contacts: [Key: Contact] = [:]
    var order: [Key] = []
    var newContacts = 0
    /// Identifiers added (a key) or removed (nil) by this batch, overriding the projection.
    var owners: [IdentifierKind: [String: Key?]] = [:]
    var results: [Result<(Key, Bool, Int), ContactError>] = []
    /// Custom field declarations made by this batch, for the schema stream.
    var schemaEvents: [NewEvent] = []
    /// The schema stream, once the ledger has one.
    let schemaStream: StreamID?

    init(book: ContactBook, match: MatchRule, options: UpsertOptions, channel: EntryChannel) throws {
        self.book = book
        directory = try book.directory()
        checkpoint = try directory.checkpoint()
        fieldTypes = try directory.fieldTypes()
        schemaStream = try directory.schemaStream()
        self.match = match
        self.options = options
        self.channel = channel
    }

    /// Whether the projection still reflects the whole log, so the versions read match the
    /// states read; false when another process appended meanwhile (the batch is redone).
    func isCurrent() throws -> Bool {
        try book.ledger.lastPosition() == checkpoint
    }

    mutating func add(_ item: UpsertItem, actor: Actor) {
        do {
            let identifiers = try book.normalizedIdentifiers(item.input)
            try book.requireMatchIdentifier(match, identifiers)
            let key = try resolve(identifiers)
            if contacts[key] == nil {
                let state: ContactState?
                let version: UInt64
                if case .existing(let id) = key {
                    state = try directory.contact(id)
                    version = try book.ledger.version(of: id)
                } else {
                    state = nil
                    version = 0
                }
                contacts[key] = Contact(state: state, baseVersion: version)
                order.append(key)
            }
            guard var contact = contacts[key] else { return }
            let events = try book.changes(item.input, identifiers: identifiers, state: contact.state, channel: channel, fieldTypes: fieldTypes, options: options)
            let wasNew = contact.state == nil
            let placeholder: StreamID
            if case .existing(let id) = key { placeholder = id } else { placeholder = StreamID(0) }
            for event in events {
                contact.state = ContactState.fold(contact.state, event, meta: EventMeta(position: 0, stream: placeholder, recordedAt: Ledger.systemClock()))
                switch event {
                case .identifierAdded(let change):
                    if let value = change.value.value { owners[change.kind, default: [:]][value] = .some(key) }
                case .identifierRemoved(let change):
                    if let value = change.value.value { owners[change.kind, default: [:]][value] = .some(nil) }
                case .fieldDefined(let definition):
                    fieldTypes[definition.name] = definition.type
                default:
                    break
                }
            }
            for (index, event) in events.enumerated() {
                let recorded = event.newEvent(id: item.ids(index), actor: actor, source: item.source)
                // Field declarations belong to the schema stream, not to the contact that
                // happened to use the field first.
                if case .fieldDefined = event {
                    schemaEvents.append(recorded)
                } else {
                    contact.events.append(recorded)
                }
            }
            contacts[key] = contact
            results.append(.success((key, wasNew, events.count)))
        } catch let error as ContactError {
            results.append(.failure(error))
        } catch {
            results.append(.failure(ContactError(.invalidRequest, "\(error)")))
        }
    }

    /// The contact the identifiers name (this batch's own changes first), or a new one.
    private mutating func resolve(_ identifiers: [IdentifierKind: String]) throws -> Key {
        var found = [(IdentifierKind, Key)]()
        for kind in [IdentifierKind.email, .phone, .externalId] {
            guard let value = identifiers[kind] else { continue }
            let owner: Key?
            if let overridden = owners[kind]?[value] {
                owner = overridden
            } else {
                owner = try directory.find(kind, value).map { .existing($0) }
            }
            if let owner { found.append((kind, owner)) }
        }
        let distinct = Set(found.map(\.1))
        if distinct.count > 1 {
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

    private static func describe(_ key: Key) -> String {
        switch key {
        case .existing(let id): "contact \(id)"
        case .new: "a contact created earlier in this batch"
        }
    }

    /// One append request per contact with events, in first-seen order.
    func requests() -> [(key: Key, request: AppendRequest)] {
        var requests = [(key: Key, request: AppendRequest)]()
        if !schemaEvents.isEmpty {
            let target: AppendRequest.Target = schemaStream.map { .existing($0) } ?? .new
            requests.append((.new(0), AppendRequest(target: target, expected: .any, events: schemaEvents)))
        }
        return requests + order.compactMap { key in
            guard let contact = contacts[key], !contact.events.isEmpty else { return nil }
            switch key {
            case .existing(let id):
                return (key, AppendRequest(target: .existing(id), expected: .exact(contact.baseVersion), events: contact.events))
            case .new:
                return (key, .newStream(contact.events))
            }
        }
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
