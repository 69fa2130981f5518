import LedgerDomain
import LedgerStore

/// Read access to the contact projection: one contact, lookups by identifier, and a scan.
public struct ContactDirectory: Sendable {
    /// The projection store read from.
    public let store: ProjectionStore

    /// Reads `store`, which must hold the contact projection.
    public init(store: ProjectionStore) {
        self.store = store
    }

    /// The contact with stream `id`, or nil.
    public func contact(_ id: StreamID) throws -> ContactState? {
        let table = try ContactTables(store).contacts
        return try store.read { transaction in
            try transaction.get(table, ContactTables.key(id)).map { try ContactState(decoding: $0) }
        }
    }

    /// The contact holding a normalised identifier (the first, should the log give it to
    /// several), or nil.
    public func find(_ kind: IdentifierKind, _ value: String) throws -> StreamID? {
        try holders(kind, value).first
    }

    /// Every contact holding a normalised identifier, in stream order.
    public func holders(_ kind: IdentifierKind, _ value: String) throws -> [StreamID] {
        let index = try ContactTables(store).index(kind)
        return try store.read { transaction in
            try index.holders(of: Array(value.utf8), in: transaction)
        }
    }

    /// Runs `body` with one read snapshot of the projection, so that many lookups (a whole
    /// batch's) share one transaction. The snapshot is valid only inside `body`.
    public func read<Result>(_ body: (Snapshot) throws -> Result) throws -> Result {
        let tables = try ContactTables(store)
        return try store.read { transaction in try body(Snapshot(transaction: transaction, tables: tables)) }
    }

    /// The projection as of one read transaction, lent to a `read` closure.
    public struct Snapshot {
        let transaction: ProjectionTransaction
        let tables: ContactTables

        /// The last log position the snapshot reflects.
        public func checkpoint() throws -> UInt64 {
            try transaction.checkpoint()
        }

        /// The contact with stream `id`, or nil.
        public func contact(_ id: StreamID) throws -> ContactState? {
            try transaction.withValue(tables.contacts, ContactTables.key(id)) { value in
                try value.map { try ContactState(decoding: $0) }
            }
        }

        /// The first contact holding a normalised identifier, or nil.
        public func find(_ kind: IdentifierKind, _ value: String) throws -> StreamID? {
            try tables.index(kind).first(of: Array(value.utf8), in: transaction)
        }

        /// How many identifiers the identifier indexes hold, of every kind.
        public func identifierCount() throws -> Int {
            try tables.indexes.reduce(0) { $0 + (try transaction.count($1.table)) }
        }

        /// Calls `body` with every identifier the indexes hold (as stored: UTF-8), by kind, in
        /// key order.
        public func forEachIdentifier(_ body: (IdentifierKind, UnsafeRawBufferPointer) throws -> Void) throws {
            for index in tables.indexes {
                try transaction.forEach(index.table) { key, _ in
                    try body(index.kind, key)
                    return true
                }
            }
        }
    }

    /// The last log position the projection has applied.
    public func checkpoint() throws -> UInt64 {
        try store.read { try $0.checkpoint() }
    }

    /// Calls `body` with every contact in stream order.
    public func forEach(_ body: (ContactState) throws -> Void) throws {
        let table = try ContactTables(store).contacts
        try store.read { transaction in
            try transaction.forEach(table) { _, value in
                try body(try ContactState(decoding: value))
                return true
            }
        }
    }

    /// The declared custom fields and their types.
    public func fieldTypes() throws -> [String: FieldType] {
        let table = try ContactTables(store).fields
        var types = [String: FieldType]()
        try store.read { transaction in
            try transaction.forEach(table) { key, value in
                let name = String(decoding: key, as: UTF8.self)
                if !name.hasPrefix("#"), let type = FieldType(rawValue: String(decoding: value, as: UTF8.self)) {
                    types[name] = type
                }
                return true
            }
        }
        return types
    }

    /// The stream that holds the custom field declarations, once there is one.
    public func schemaStream() throws -> StreamID? {
        let tables = try ContactTables(store)
        return try store.read { transaction in try tables.schemaStream(in: transaction) }
    }
}
