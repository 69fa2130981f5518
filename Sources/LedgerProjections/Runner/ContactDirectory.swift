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
        let table = try store.table("contacts")
        return try store.read { transaction in
            try transaction.get(table, ContactProjection.key(id)).map { try ContactState(decoding: $0) }
        }
    }

    /// The contact holding a normalised identifier (the first, should the log give it to
    /// several), or nil.
    public func find(_ kind: IdentifierKind, _ value: String) throws -> StreamID? {
        try holders(kind, value).first
    }

    /// Every contact holding a normalised identifier, in stream order.
    public func holders(_ kind: IdentifierKind, _ value: String) throws -> [StreamID] {
        let table = try store.table(ContactProjection.indexTable(kind))
        return try store.read { transaction in
            ContactProjection.holders(try transaction.get(table, Array(value.utf8)))
        }
    }

    /// The last log position the projection has applied.
    public func checkpoint() throws -> UInt64 {
        try store.read { try $0.checkpoint() }
    }

    /// Calls `body` with every contact in stream order.
    public func forEach(_ body: (ContactState) throws -> Void) throws {
        let table = try store.table("contacts")
        try store.read { transaction in
            try transaction.forEach(table) { _, value in
                try body(try ContactState(decoding: value))
                return true
            }
        }
    }

    /// The declared custom fields and their types.
    public func fieldTypes() throws -> [String: FieldType] {
        let table = try store.table("fields")
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
        let table = try store.table("fields")
        return try store.read { transaction in
            ContactProjection.holders(try transaction.get(table, ContactProjection.schemaStreamKey)).first
        }
    }
}
