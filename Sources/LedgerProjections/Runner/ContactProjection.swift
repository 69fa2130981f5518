import LedgerDomain
import LedgerStore

/// The contact-state projection: each contact's current state (identifiers, fields, consent,
/// segments) and lookup indexes from e-mail, phone and external id to the contact.
///
/// Its tables are described once, in `ContactTables` (states, one `IdentifierIndex` per
/// identifier kind, field declarations), and its three writers (`apply`, the write side's
/// `record`, the parallel `rebuild`) write them through those types. An erased contact keeps a
/// state with no personal values (so `contact show` can say it was erased) and leaves the
/// indexes.
///
/// Downstream projectors (`ContactFeedConsumer`, the segment projection) keep their tables in
/// the same store and fold what the contact fold hands them (`ContactChange`) in the same
/// transaction, behind the same checkpoint (ContactProjection+Feed.swift).
public struct ContactProjection: Projection {
    public static let name = "contacts"
    /// The contact tables, then every downstream projector's.
    public static let tables = ContactTables.Name.allCases.map(\.rawValue) + SegmentProjection.tables

    /// The projectors downstream of the contact fold.
    public let downstream: [any ContactFeedConsumer]
    /// The log, which a dormant downstream projector reads when an event wakes it; nil in
    /// folds that never meet such an event (tests of the contact tables alone).
    public let ledger: Ledger?
    /// Runs of folded states a parallel rebuild commits at a time (tests make it small, so
    /// that a rebuild of a few runs commits several times).
    var runsPerCommit = ContactProjection.defaultRunsPerCommit

    /// The projection, with the segment projection downstream; `ledger` is the log it folds.
    public init(ledger: Ledger? = nil) {
        self.init(ledger: ledger, downstream: [SegmentProjection()])
    }

    /// The projection with these downstream projectors.
    public init(ledger: Ledger?, downstream: [any ContactFeedConsumer]) {
        self.ledger = ledger
        self.downstream = downstream
    }

    static func key(_ stream: StreamID) -> [UInt8] {
        ContactTables.key(stream)
    }

    /// The event decoded with its plain personal data, or nil for an event of another family.
    static func decode(_ event: RecordedEvent, personal: [UInt8]?) throws(DomainEventError) -> ContactEvent? {
        try LedgerEvent(decoding: event, personalData: personal).contactEvent
    }

    /// Decodes `event`, or nil for an event of another family (a test writer's events, say);
    /// a malformed or unknown contact event is an error that stops the projection.
    static func domainEvent(_ event: RecordedEvent, keys: KeyRing) throws -> ContactEvent? {
        // An event of another family (a token's) is passed over before its personal data is
        // unsealed: a token import appends a million of them, each under a key of its own.
        guard event.withTypeName(ContactEventKind.init(utf8Name:)) != nil || event.withTypeName(EventFamily.init(utf8TypeName:)) == .contacts else {
            return nil
        }
        return try LedgerEvent(decoding: event, personalData: try keys.personalData(of: event)).contactEvent
    }

    /// A batch of events with each one unsealed and decoded (nil: not a contact event).
    public struct Prepared: Sendable {
        let events: [RecordedEvent]
        let decoded: [ContactEvent?]
    }

    public func prepare(_ events: [RecordedEvent], keys: KeyRing) throws -> Prepared {
        Prepared(events: events, decoded: try Self.decodeAll(events, keys: keys))
    }

    public func apply(_ batch: Prepared, in transaction: ProjectionTransaction, store: ProjectionStore) throws {
        if !downstream.isEmpty {
            // Dormant downstream projectors cost this check and nothing else.
            if try applyFeeding(batch, in: transaction, store: store) { return }
        }
        try applyContacts(batch, in: transaction, store: store)
    }

    /// The contact tables' fold of a batch, with no downstream projector awake.
    func applyContacts(_ batch: Prepared, in transaction: ProjectionTransaction, store: ProjectionStore) throws {
        let tables = try ContactTables(store)
        let events = batch.events
        let decoded = batch.decoded
        // Each contact's events, in log order.
        var eventsOf = [StreamID: [Int]]()
        for (index, domain) in decoded.enumerated() {
            guard let domain else { continue }
            if case .fieldDefined(let definition) = domain {
                try tables.define(definition, stream: events[index].stream, in: transaction)
                continue
            }
            eventsOf[events[index].stream, default: []].append(index)
        }
        // In key order (a stream's key is its number, big-endian), so the pages of neighbouring
        // contacts are copied once per batch; each state is read, folded and written back with
        // one search, straight from the map.
        let streams = eventsOf.keys.sorted()
        var identityChanges = [(stream: StreamID, old: ContactState?, new: ContactState?)]()
        try transaction.update(tables.contacts, keys: streams.map(Self.key)) { index, stored in
            let stream = streams[index]
            let old = try stored.map { try ContactState(decoding: $0) }
            var new = old
            for position in eventsOf[stream] ?? [] {
                guard let domain = decoded[position] else { continue }
                ContactState.fold(into: &new, domain, meta: EventMeta(events[position]))
            }
            // Most changes (fields, consent, segments) leave the identifiers alone: no index work.
            if Self.indexed(old) != Self.indexed(new) { identityChanges.append((stream, old, new)) }
            return new?.encoded()
        }
        for change in identityChanges {
            try Self.updateIndexes(stream: change.stream, old: change.old, new: change.new, in: transaction, tables: tables)
        }
    }

    /// The identifiers a state puts in the indexes, by kind: none once erased or merged away.
    static func indexed(_ state: ContactState?) -> [[String]] {
        guard let state, !state.erased, state.mergedInto == nil else { return [[], [], []] }
        return IdentifierKind.allCases.map { state.identifiers($0) }
    }

    /// Unseals and decodes `events`, a large batch on every core (unsealing through
    /// swift-crypto is most of a follower's work per event).
    static func decodeAll(_ events: [RecordedEvent], keys: KeyRing) throws -> [ContactEvent?] {
        try events.concurrentMap(chunkSize: 1024) { try domainEvent($0, keys: keys) }
    }

    /// Moves a contact's index entries from what `old` holds to what `new` holds.
    static func updateIndexes(stream: StreamID, old: ContactState?, new: ContactState?, in transaction: ProjectionTransaction, tables: ContactTables) throws {
        for (kind, identifiers) in indexedChanges(old: old, new: new) {
            let index = tables.index(kind)
            for removed in identifiers.removed { try index.remove(stream, from: Array(removed.utf8), in: transaction) }
            for added in identifiers.added { try index.add(stream, to: Array(added.utf8), in: transaction) }
        }
    }
}
