import LedgerDomain
import LedgerStore

/// The contact-state projection: each contact's current state (identifiers, fields, consent,
/// segments) and lookup indexes from e-mail, phone and external id to the contact.
///
/// Tables: `contacts` (stream u64 big-endian → `ContactState` bytes), `by-email`, `by-phone`,
/// `by-external-id` (normalised identifier UTF-8 → the streams holding it, ascending u64s).
/// Identity resolution keeps identifiers unique, but the log is the truth and may say
/// otherwise (a merge not yet made): the index records every holder, so that incremental
/// updates and a rebuild always agree. An erased contact keeps a state with no personal
/// values (so `contact show` can say it was erased) and leaves the indexes.
public struct ContactProjection: Projection {
    public static let name = "contacts"
    public static let tables = ["contacts", "by-email", "by-phone", "by-external-id", "fields"]

    /// The key in `fields` that holds the schema stream (field names cannot start with `#`).
    static let schemaStreamKey = Array("#schema-stream".utf8)

    /// Records a custom field declaration: `fields` maps the name to its type's label.
    static func define(_ definition: FieldDefined, stream: StreamID, in transaction: ProjectionTransaction, store: ProjectionStore) throws {
        let fields = try store.table("fields")
        try transaction.put(fields, Array(definition.name.utf8), Array(definition.type.label.utf8))
        try transaction.put(fields, schemaStreamKey, key(stream))
    }

    /// The projection.
    public init() {}

    static func key(_ stream: StreamID) -> [UInt8] {
        withUnsafeBytes(of: stream.rawValue.bigEndian) { Array($0) }
    }

    static func indexTable(_ kind: IdentifierKind) -> String {
        switch kind {
        case .email: "by-email"
        case .phone: "by-phone"
        case .externalId: "by-external-id"
        }
    }

    /// Every contact state and field definition of the log up to `through` (all when nil),
    /// folded in memory: the rebuild writes it out, and `verify --projections` compares with it.
    public static func foldLog(
        _ ledger: Ledger,
        through limit: UInt64?,
        progress: (UInt64) -> Void = { _ in }
    ) throws -> (states: [StreamID: ContactState], definitions: [(FieldDefined, StreamID)], last: UInt64) {
        var states = [StreamID: ContactState]()
        var definitions = [(FieldDefined, StreamID)]()
        var last: UInt64 = 0
        if limit == 0 { return (states, definitions, 0) }
        let keys = ledger.keyRing(capacity: 1 << 22)
        try ledger.forEachEvent(from: 1, limit: limit.map { Int(clamping: $0) } ?? .max) { event in
            last = event.position
            if event.position % 1_000_000 == 0 { progress(event.position) }
            guard let domain = try Self.domainEvent(event, keys: keys) else { return }
            if case .fieldDefined(let definition) = domain {
                definitions.append((definition, event.stream))
                return
            }
            if let folded = ContactState.fold(states[event.stream], domain, meta: EventMeta(event)) {
                states[event.stream] = folded
            } else {
                states.removeValue(forKey: event.stream)
            }
        }
        return (states, definitions, last)
    }

    /// The streams in an index value.
    static func holders(_ value: [UInt8]?) -> [StreamID] {
        guard let value else { return [] }
        return stride(from: 0, to: value.count - value.count % 8, by: 8).map { start in
            StreamID(value[start..<(start + 8)].reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        }
    }

    static func encodeHolders(_ holders: [StreamID]) -> [UInt8] {
        holders.flatMap { key($0) }
    }

    /// Decodes `event`, or nil for event types that are not the contact domain's (a test
    /// writer's events, say); a malformed contact event is an error that stops the projection.
    static func domainEvent(_ event: RecordedEvent, keys: KeyRing) throws -> DomainEvent? {
        let personal = try keys.personalData(of: event)
        do {
            return try DomainEvent(decoding: event, personalData: personal)
        } catch where error.code == .unknownType {
            return nil
        }
    }

    public func apply(_ events: [RecordedEvent], keys: KeyRing, in transaction: ProjectionTransaction, store: ProjectionStore) throws {
        let contacts = try store.table("contacts")
        var before = [StreamID: ContactState?]()
        var after = [StreamID: ContactState?]()
        for event in events {
            guard let domain = try Self.domainEvent(event, keys: keys) else { continue }
            if case .fieldDefined(let definition) = domain {
                try Self.define(definition, stream: event.stream, in: transaction, store: store)
                continue
            }
            if before[event.stream] == nil {
                let stored = try transaction.get(contacts, Self.key(event.stream)).map { try ContactState(decoding: $0) }
                before[event.stream] = .some(stored)
                after[event.stream] = .some(stored)
            }
            let current = after[event.stream] ?? nil
            after[event.stream] = .some(ContactState.fold(current, domain, meta: EventMeta(event)))
        }
        for (stream, state) in after {
            let old = before[stream] ?? nil
            let new = state ?? nil
            try updateIndexes(stream: stream, old: old, new: new, in: transaction, store: store)
            if let new {
                try transaction.put(contacts, Self.key(stream), new.encoded())
            } else {
                try transaction.delete(contacts, Self.key(stream))
            }
        }
    }

    private func updateIndexes(stream: StreamID, old: ContactState?, new: ContactState?, in transaction: ProjectionTransaction, store: ProjectionStore) throws {
        // Most changes (fields, consent, segments) leave the identifiers alone: no index work.
        func indexed(_ state: ContactState?) -> [[String]] {
            guard let state, !state.erased, state.mergedInto == nil else { return [[], [], []] }
            return IdentifierKind.allCases.map { state.identifiers($0) }
        }
        if indexed(old) == indexed(new) { return }
        for kind in IdentifierKind.allCases {
            let table = try store.table(Self.indexTable(kind))
            let oldSet = Set(old.map { $0.erased || $0.mergedInto != nil ? [] : $0.identifiers(kind) } ?? [])
            let newSet = Set(new.map { $0.erased || $0.mergedInto != nil ? [] : $0.identifiers(kind) } ?? [])
            for removed in oldSet.subtracting(newSet) {
                let key = Array(removed.utf8)
                let holders = Self.holders(try transaction.get(table, key)).filter { $0 != stream }
                if holders.isEmpty {
                    try transaction.delete(table, key)
                } else {
                    try transaction.put(table, key, Self.encodeHolders(holders))
                }
            }
            for added in newSet.subtracting(oldSet) {
                let key = Array(added.utf8)
                var holders = Self.holders(try transaction.get(table, key))
                if !holders.contains(stream) {
                    holders.append(stream)
                    holders.sort()
                }
                try transaction.put(table, key, Self.encodeHolders(holders))
            }
        }
    }

    public func rebuild(from ledger: Ledger, into store: ProjectionStore, progress: (UInt64) -> Void) throws -> UInt64 {
        // Fold the whole log in memory, then write each table once in key order (MDB_APPEND):
        // random-order inserts would copy a page per contact.
        let folded = try Self.foldLog(ledger, through: nil, progress: progress)
        let states = folded.states
        let definitions = folded.definitions
        let last = folded.last
        let contacts = try store.table("contacts")
        let ordered = states.keys.sorted()
        try store.write { transaction in
            // Inside the closure: a full map aborts the transaction and runs it again, and
            // entries gathered outside would then be written twice.
            var indexEntries = [IdentifierKind: [([UInt8], [UInt8])]]()
            for stream in ordered {
                guard let state = states[stream] else { continue }
                try transaction.put(contacts, Self.key(stream), state.encoded(), append: true)
                guard !state.erased, state.mergedInto == nil else { continue }
                for kind in IdentifierKind.allCases {
                    for identifier in state.identifiers(kind) {
                        indexEntries[kind, default: []].append((Array(identifier.utf8), Self.key(stream)))
                    }
                }
            }
            for (kind, entries) in indexEntries {
                let table = try store.table(Self.indexTable(kind))
                // Sorted by identifier, then stream, so each key is written once, in order.
                let sorted = entries.sorted { lhs, rhs in
                    lhs.0 == rhs.0 ? lhs.1.lexicographicallyPrecedes(rhs.1) : lhs.0.lexicographicallyPrecedes(rhs.0)
                }
                var holders = [UInt8]()
                for (index, entry) in sorted.enumerated() {
                    holders.append(contentsOf: entry.1)
                    if index + 1 == sorted.count || sorted[index + 1].0 != entry.0 {
                        try transaction.put(table, entry.0, holders, append: true)
                        holders.removeAll(keepingCapacity: true)
                    }
                }
            }
            for (definition, stream) in definitions {
                try Self.define(definition, stream: stream, in: transaction, store: store)
            }
            try transaction.setCheckpoint(last)
        }
        progress(last)
        return last
    }
}
