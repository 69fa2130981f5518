import LedgerDomain
import LedgerStore

/// Reads the token projection: a token by stream or endpoint, a contact's tokens, every token,
/// and the VAPID keys we hold.
public struct TokenDirectory: Sendable {
    /// The projection's open store.
    public let store: ProjectionStore

    /// Reads `store`.
    public init(store: ProjectionStore) {
        self.store = store
    }

    /// The token on `stream`, if the projection holds one.
    public func token(_ stream: StreamID) throws -> TokenState? {
        try store.read { transaction in
            try transaction.withValue(try store.table("tokens"), TokenProjection.key(stream)) { bytes in
                try bytes.map { try TokenState(decoding: $0) }
            }
        }
    }

    /// The token whose current endpoint (or device token) is `endpoint`; nil when none is
    /// (or it was erased).
    public func token(endpoint: String) throws -> StreamID? {
        try store.read { transaction in
            try transaction.withValue(try store.table("by-endpoint"), TokenProjection.endpointHash(endpoint)) { bytes in
                bytes.flatMap { Self.stream($0) }
            }
        }
    }

    /// Which of `hashes` (endpoint SHA-256s) name a token already; one read transaction.
    public func known(endpointHashes hashes: [[UInt8]]) throws -> [Bool] {
        try store.read { transaction in
            let table = try store.table("by-endpoint")
            return try hashes.map { try transaction.withValue(table, $0) { $0 != nil } }
        }
    }

    /// The tokens linked to `contact`, in stream order.
    public func tokens(ofContact contact: StreamID) throws -> [StreamID] {
        let prefix = TokenProjection.key(contact)
        return try store.read { transaction in
            var found = [StreamID]()
            try transaction.forEach(try store.table("by-contact"), from: prefix) { key, _ in
                guard key.count == 16, key.prefix(8).elementsEqual(prefix) else { return false }
                if let stream = Self.stream(UnsafeRawBufferPointer(rebasing: key[8...])) { found.append(stream) }
                return true
            }
            return found
        }
    }

    /// Calls `body` with every token, in stream order.
    public func forEach(_ body: (TokenState) throws -> Void) throws {
        try store.read { transaction in
            try transaction.forEach(try store.table("tokens")) { _, value in
                try body(try TokenState(decoding: value))
                return true
            }
        }
    }

    /// The VAPID keys we hold, by fingerprint.
    public func vapidKeys() throws -> [VapidKeyRecord] {
        try store.read { transaction in
            var keys = [VapidKeyRecord]()
            try transaction.forEach(try store.table("vapid")) { _, value in
                keys.append(try VapidKeyRecord(decoding: value))
                return true
            }
            return keys
        }
    }

    /// What a token's status is decided against, now.
    public func statusContext(now: Int64) throws -> TokenStatusContext {
        let keys = try vapidKeys()
        return TokenStatusContext(vapidKeys: Set(keys.map(\.fingerprint)), origins: Set(keys.flatMap(\.origins)), now: now)
    }

    private static func stream(_ bytes: UnsafeRawBufferPointer) -> StreamID? {
        guard bytes.count == 8 else { return nil }
        return StreamID(bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
    }
}
