import LedgerDomain
import LedgerStore
#if canImport(Glibc)
import Glibc
#endif

/// A contact's state before and after events its writer has just appended, folded by that
/// writer from the events it built (`ContactState.fold`, with the events' real places and time).
public struct FoldedContact: Sendable {
    /// The contact's stream.
    public let stream: StreamID
    /// The state the projection holds now (nil: a new contact).
    public let old: ContactState?
    /// The state after the events, unless it is `placing`'s.
    let folded: ContactState?
    /// A new contact's state folded ahead (unplaced, `EventMeta.unplaced`), the time its
    /// events were recorded at and the position of the first: the state after the events is it
    /// placed there (`ContactState.placed`), which `record` encodes without making it.
    let placing: (shared: SharedContactState, recordedAt: Int64, firstPosition: UInt64)?

    /// Describes one contact's change.
    public init(stream: StreamID, old: ContactState?, new: ContactState?) {
        self.stream = stream
        self.old = old
        folded = new
        placing = nil
    }

    /// Describes a new contact whose events only create it as `shared` says (a prepared
    /// creation), recorded in `stream` at `recordedAt` from `firstPosition` on: its state is
    /// `shared`'s placed there, and is recorded without being copied out of `shared`.
    public init(stream: StreamID, placing shared: SharedContactState, recordedAt: Int64, firstPosition: UInt64) {
        self.stream = stream
        old = nil
        folded = nil
        placing = (shared, recordedAt, firstPosition)
    }

    /// The state after the events (nil: the fold left none).
    public var new: ContactState? {
        if let placing { return placing.shared.state.placed(stream: stream, recordedAt: placing.recordedAt, firstPosition: placing.firstPosition) }
        return folded
    }
}

extension ContactProjection {
    /// Records what the events at `positions` did, as folded by the writer that appended them,
    /// with the checkpoint, in one transaction: the tables `apply` would leave, without reading
    /// those events back from the log and decoding them again (a bulk import's batch).
    ///
    /// Writes nothing and returns false unless the projection's checkpoint is right before
    /// `positions`, i.e. unless these are the only events it has not applied; the caller then
    /// catches up from the log instead. `contacts` must cover every stream of those events but
    /// the schema stream, whose declarations are `definitions`. `headHash` is the log's chain
    /// hash at `positions.upperBound`, kept beside the checkpoint.
    public static func record(
        _ contacts: [FoldedContact],
        definitions: [(FieldDefined, StreamID)],
        positions: ClosedRange<UInt64>,
        headHash: [UInt8],
        in store: ProjectionStore
    ) throws -> Bool {
        let tables = try ContactTables(store)
        let table = tables.contacts
        // `allCases` makes a new array each time it is read: read once, not per contact.
        let kinds = IdentifierKind.allCases
        let indexes = tables.indexes
        return try store.write { transaction in
            // Gathered inside the closure: a full map runs it again from the start.
            guard try transaction.checkpoint() == positions.lowerBound - 1 else { return false }
            // An awake downstream projector is fed from the log by the runner instead.
            guard try !ContactProjection().feedsDownstream(in: transaction, store: store) else { return false }
            for (definition, stream) in definitions {
                try tables.define(definition, stream: stream, in: transaction)
            }
            var removed = [[(key: [UInt8], stream: StreamID)]](repeating: [], count: indexes.count)
            // Added identifiers' bytes end to end, per index: no array per identifier, and
            // sorted by integer prefixes (most of a bulk import's batch is new identifiers).
            var added = [IdentifierIndexEntries](repeating: IdentifierIndexEntries(), count: indexes.count)
            // By index, reading each contact in place: copying one costs a retain per field.
            for index in contacts.indices {
                let stream = contacts[index].stream
                if let shared = contacts[index].placing?.shared {
                    // A new contact prepared ahead (most of a bulk import), read where it is
                    // shared. Without the extended lifetime the optimiser copies the state out
                    // of its holder first.
                    withExtendedLifetime(shared) { addIdentifiers(of: shared, stream: stream, kinds: kinds, to: &added) }
                    continue
                }
                if contacts[index].old == nil, let new = contacts[index].folded {
                    // A new contact: every identifier it holds is added.
                    addIdentifiers(of: new, stream: stream, kinds: kinds, to: &added)
                    continue
                }
                for (kind, identifiers) in indexedChanges(old: contacts[index].old, new: contacts[index].new) {
                    let slot = kind.slot
                    for identifier in identifiers.removed { removed[slot].append((Array(identifier.utf8), stream)) }
                    for identifier in identifiers.added { added[slot].append(identifier, stream) }
                }
            }
            // Each index is written in key order, so neighbouring keys share page visits.
            for (slot, index) in indexes.enumerated() {
                for entry in removed[slot] { try index.remove(entry.stream, from: entry.key, in: transaction) }
                guard !added[slot].entries.isEmpty else { continue }
                added[slot].sort()
                try transaction.withInserter(index.table) { inserter in
                    try IdentifierIndexEntries.forEachMerged([added[slot]]) { identifier, stream in
                        try index.add(StreamID(stream), to: identifier, using: &inserter, in: transaction)
                    }
                }
            }
            // In stream order; a batch of new contacts already is.
            var order = Array(contacts.indices)
            if !zip(contacts.indices.dropLast(), contacts.indices.dropFirst()).allSatisfy({ contacts[$0].stream < contacts[$1].stream }) {
                order.sort { contacts[$0].stream < contacts[$1].stream }
            }
            // New contacts' streams come after every stored one: appended at the table's end,
            // without a search; each state is encoded into one reused buffer.
            var writer = BinaryWriter(capacity: 1024)
            try transaction.withAppender(table) { appender in
                for index in order {
                    let stream = contacts[index].stream
                    writer.removeAll()
                    if let placing = contacts[index].placing {
                        // Kept alive explicitly, so the state is encoded where it is held, not copied.
                        let shared = placing.shared
                        withExtendedLifetime(shared) { shared.encode(placedIn: stream, recordedAt: placing.recordedAt, firstPosition: placing.firstPosition, into: &writer) }
                    } else if let new = contacts[index].folded {
                        new.encode(into: &writer)
                    } else {
                        try transaction.delete(table, key(stream))
                        continue
                    }
                    let appended = try contacts[index].old == nil && withUnsafeBytes(of: stream.rawValue.bigEndian) { key in
                        try writer.bytes.withUnsafeBytes { try appender.appendIfLast(key: key, value: $0) }
                    }
                    if !appended { try transaction.put(table, key(stream), writer.bytes) }
                }
            }
            try transaction.setCheckpoint(positions.upperBound, headHash: headHash)
            return true
        }
    }

    /// Adds the index entries of the identifiers of a state a prepared creation shares, as
    /// the overload below does for a state, without making the state.
    private static func addIdentifiers(of shared: SharedContactState, stream: StreamID, kinds: [IdentifierKind], to added: inout [IdentifierIndexEntries]) {
        guard shared.isIndexed else { return }
        for (slot, kind) in kinds.enumerated() {
            shared.forEachIdentifier(kind) { added[slot].append($0, stream) }
        }
    }

    /// Adds the index entries of a new contact's identifiers (none when it is erased or
    /// merged away) to `added`, one list per kind of `kinds`. `state` is borrowed: a new
    /// contact's state is read where it is held, not copied.
    private static func addIdentifiers(of state: borrowing ContactState, stream: StreamID, kinds: [IdentifierKind], to added: inout [IdentifierIndexEntries]) {
        guard !state.erased, state.mergedInto == nil else { return }
        for (slot, kind) in kinds.enumerated() {
            for identifier in state.identifiers(kind) { added[slot].append(identifier, stream) }
        }
    }

    /// The identifiers of each kind that an index gains and loses when a contact goes from
    /// `old` to `new`; an erased or merged-away contact is in no index. Kinds without a change
    /// are left out, so field-only changes cost no index work.
    static func indexedChanges(old: ContactState?, new: ContactState?) -> [(IdentifierKind, (added: [String], removed: [String]))] {
        func indexed(_ state: ContactState?, _ kind: IdentifierKind) -> [String] {
            guard let state, !state.erased, state.mergedInto == nil else { return [] }
            return state.identifiers(kind)
        }
        var changes = [(IdentifierKind, (added: [String], removed: [String]))]()
        for kind in IdentifierKind.allCases {
            let before = indexed(old, kind)
            let after = indexed(new, kind)
            if before == after { continue }
            let added = after.filter { !before.contains($0) }
            let removed = before.filter { !after.contains($0) }
            if !added.isEmpty || !removed.isEmpty { changes.append((kind, (added, removed))) }
        }
        return changes
    }
}
