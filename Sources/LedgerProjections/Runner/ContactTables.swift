import LedgerDomain
import LedgerStore

/// The contact projection's tables: named here and nowhere else, opened together, and
/// written by all three of the projection's writers (`apply`, the write side's `record`, the
/// parallel `rebuild`) and read by every reader through these types.
///
/// - `contacts`: stream (u64 big-endian) → the contact's `ContactState` bytes;
/// - `by-email`, `by-phone`, `by-external-id`: one `IdentifierIndex` per kind;
/// - `fields`: a custom field's name → its type's label, and the schema stream under
///   `#schema-stream` (field names cannot start with `#`).
public struct ContactTables: Sendable {
    /// The tables' names in the projection store.
    public enum Name: String, CaseIterable, Sendable {
        case contacts
        case byEmail = "by-email"
        case byPhone = "by-phone"
        case byExternalID = "by-external-id"
        case fields

        /// The index table of an identifier kind.
        public static func index(_ kind: IdentifierKind) -> Name {
            switch kind {
            case .email: .byEmail
            case .phone: .byPhone
            case .externalId: .byExternalID
            }
        }
    }

    /// Each contact's state, by stream.
    public let contacts: ProjectionStore.Table
    /// Custom field declarations and the schema stream.
    public let fields: ProjectionStore.Table
    /// One index per identifier kind, in `IdentifierKind.allCases` order.
    public let indexes: [IdentifierIndex]

    /// The key in `fields` that holds the schema stream.
    static let schemaStreamKey = Array("#schema-stream".utf8)

    /// The tables of `store`, which must hold the contact projection.
    public init(_ store: ProjectionStore) throws {
        contacts = try store.table(Name.contacts.rawValue)
        fields = try store.table(Name.fields.rawValue)
        indexes = try IdentifierKind.allCases.map { kind in
            IdentifierIndex(kind: kind, table: try store.table(Name.index(kind).rawValue))
        }
    }

    /// The index of `kind`.
    public func index(_ kind: IdentifierKind) -> IdentifierIndex {
        indexes[kind.slot]
    }

    /// A contact's key in `contacts`: its stream, big-endian.
    static func key(_ stream: StreamID) -> [UInt8] {
        withUnsafeBytes(of: stream.rawValue.bigEndian) { Array($0) }
    }

    /// Records a custom field declaration and the stream that holds it.
    func define(_ definition: FieldDefined, stream: StreamID, in transaction: ProjectionTransaction) throws {
        try transaction.put(fields, Array(definition.name.utf8), Array(definition.type.label.utf8))
        try transaction.put(fields, Self.schemaStreamKey, Self.key(stream))
    }

    /// The schema stream `fields` names, once a field is declared.
    func schemaStream(in transaction: ProjectionTransaction) throws -> StreamID? {
        IdentifierIndex.holders(try transaction.get(fields, Self.schemaStreamKey)).first
    }
}

extension IdentifierKind {
    /// The kind's place in `IdentifierKind.allCases`, `ContactTables.indexes` and the lists of
    /// `StreamFold.indexParts()`.
    var slot: Int {
        switch self {
        case .email: 0
        case .phone: 1
        case .externalId: 2
        }
    }
}

/// An index from a normalised identifier (its UTF-8 bytes) to every contact holding it: the
/// streams, u64 big-endian, ascending, end to end.
///
/// Identity resolution keeps identifiers unique, but the log is the truth and may say otherwise
/// (a merge not yet made), so the index records every holder, and incremental updates and a
/// rebuild always agree. Every writer goes through `add`, `remove` or `appendMerged`.
public struct IdentifierIndex: Sendable {
    /// The kind of identifier it indexes.
    public let kind: IdentifierKind
    /// Its table.
    public let table: ProjectionStore.Table

    /// The streams in an index value.
    static func holders(_ value: [UInt8]?) -> [StreamID] {
        guard let value else { return [] }
        return stride(from: 0, to: value.count - value.count % 8, by: 8).map { start in
            StreamID(value[start..<(start + 8)].reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        }
    }

    /// The value holding `holders`, which must be ascending.
    static func encode(_ holders: [StreamID]) -> [UInt8] {
        holders.flatMap { ContactTables.key($0) }
    }

    /// Every contact holding `identifier`, in stream order.
    func holders(of identifier: [UInt8], in transaction: ProjectionTransaction) throws -> [StreamID] {
        Self.holders(try transaction.get(table, identifier))
    }

    /// The first contact holding `identifier`, read in place; nil when none does.
    func first(of identifier: [UInt8], in transaction: ProjectionTransaction) throws -> StreamID? {
        try transaction.withValue(table, identifier) { holders in
            guard let holders, holders.count >= 8 else { return nil }
            return StreamID(UInt64(bigEndian: holders.loadUnaligned(as: UInt64.self)))
        }
    }

    /// Adds `stream` to the holders of `identifier`. Most identifiers are new: one search
    /// stores them.
    func add(_ stream: StreamID, to identifier: [UInt8], in transaction: ProjectionTransaction) throws {
        if try withUnsafeBytes(of: stream.rawValue.bigEndian, { try transaction.insert(table, identifier, bytes: $0) }) { return }
        try addHolder(stream, to: identifier, in: transaction)
    }

    /// `add`, through `inserter` (of this index's table, in `transaction`): for a batch's
    /// identifiers in key order, most of which are new.
    func add(_ stream: StreamID, to identifier: UnsafeRawBufferPointer, using inserter: inout ProjectionTableInserter, in transaction: ProjectionTransaction) throws {
        let stored = try withUnsafeBytes(of: stream.rawValue.bigEndian) { value in try inserter.insert(key: identifier, value: value) }
        if stored { return }
        try addHolder(stream, to: Array(identifier), in: transaction)
    }

    /// Adds `stream` to the holders of `identifier`, which the index holds already.
    private func addHolder(_ stream: StreamID, to identifier: [UInt8], in transaction: ProjectionTransaction) throws {
        var holders = try holders(of: identifier, in: transaction)
        guard !holders.contains(stream) else { return }
        holders.append(stream)
        holders.sort()
        try transaction.put(table, identifier, Self.encode(holders))
    }

    /// Removes `stream` from the holders of `identifier`, and the identifier once none is left.
    func remove(_ stream: StreamID, from identifier: [UInt8], in transaction: ProjectionTransaction) throws {
        let holders = try holders(of: identifier, in: transaction).filter { $0 != stream }
        if holders.isEmpty {
            try transaction.delete(table, identifier)
        } else {
            try transaction.put(table, identifier, Self.encode(holders))
        }
    }

    /// Appends the entries of sorted lists (a rebuild's workers'), merged: one key per
    /// identifier, its holders' streams end to end. The table must hold no key after the first
    /// of them (a rebuild's empty table).
    func appendMerged(_ lists: [IdentifierIndexEntries], in transaction: ProjectionTransaction) throws {
        try transaction.withAppender(table) { appender in
            var holders = [UInt8]()
            var pending: UnsafeRawBufferPointer?
            // The lists outlive the walk, so the previous identifier's bytes stay valid. No
            // local function shares `holders` with the closure: one that did made every access
            // a dynamic exclusivity check, on the rebuild's single writing thread.
            try IdentifierIndexEntries.forEachMerged(lists) { identifier, stream in
                if let current = pending, !IdentifierIndexEntries.same(current, identifier) {
                    try holders.withUnsafeBytes { try appender.append(key: current, value: $0) }
                    holders.removeAll(keepingCapacity: true)
                }
                pending = identifier
                withUnsafeBytes(of: stream.bigEndian) { holders.append(contentsOf: $0) }
            }
            if let current = pending {
                try holders.withUnsafeBytes { try appender.append(key: current, value: $0) }
            }
        }
    }
}
