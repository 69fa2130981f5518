import Crypto
import LedgerDomain
import LedgerStore

/// The token provenance projection: each push token's current state, and the indexes that
/// find one by its endpoint or by its contact, and the VAPID keys we hold.
///
/// Tables: `tokens` (token stream u64 big-endian → `TokenState` bytes), `by-endpoint`
/// (SHA-256 of the endpoint → token stream), `by-contact` (contact stream ‖ token stream →
/// empty), `vapid` (key fingerprint UTF-8 → `VapidKeyRecord` bytes). Only events of the token
/// family are read; the rest of the log passes by. The token's chain itself (its events) is
/// read from its stream when asked for (`TokenProvenance`), not copied here.
public struct TokenProjection: Projection {
    public static let name = "tokens"
    public static let tables = ["tokens", "by-endpoint", "by-contact", "vapid"]

    /// The projection.
    public init() {}

    /// The SHA-256 of an endpoint, the `by-endpoint` key.
    public static func endpointHash(_ endpoint: String) -> [UInt8] {
        // Hashed in place when the string's UTF-8 is contiguous (a native string's is): no
        // copy of the endpoint per token.
        var hasher = SHA256()
        if endpoint.utf8.withContiguousStorageIfAvailable({ hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }) == nil {
            hasher.update(data: Array(endpoint.utf8))
        }
        return hasher.finalize().withUnsafeBytes { Array($0) }
    }

    static func key(_ stream: StreamID) -> [UInt8] {
        withUnsafeBytes(of: stream.rawValue.bigEndian) { Array($0) }
    }

    /// The token events of a batch, unsealed and decoded, with the hash of each one's endpoint.
    public struct Prepared: Sendable {
        let events: [(meta: TokenEventMeta, event: TokenEvent, endpointHash: [UInt8]?)]
    }

    public func prepare(_ events: [RecordedEvent], keys: KeyRing) throws -> Prepared {
        var prepared = [(meta: TokenEventMeta, event: TokenEvent, endpointHash: [UInt8]?)]()
        for event in events where event.withTypeName(EventFamily.init(utf8TypeName:)) == .tokens {
            // Each token has a key of its own, used by its first event or two: unwrapped here
            // and dropped, not kept in the runner's ring (whose 262,144 keys, each with its
            // cipher context, held 400 MB after a million-token import).
            let personal: [UInt8]? = if event.personalDataSealed {
                try keys.ledger.dataKey(for: event.stream)?.open(event.personalData, for: event.id)
            } else {
                Array(event.personalData)
            }
            guard case .tokens(let decoded) = try LedgerEvent(decoding: event, personalData: personal) else { continue }
            let endpoint: String? = switch decoded {
            case .migrated(let migrated): migrated.subscription.secret.value?.endpoint
            case .subscribed(let subscribed): subscribed.subscription.secret.value?.endpoint
            case .refreshed(let refreshed): refreshed.subscription.secret.value?.endpoint
            case .revoked, .linked, .unlinked, .erased, .vapidKeyAdded: nil
            }
            prepared.append((TokenEventMeta(stream: event.stream, position: event.position, recordedAt: event.recordedAt), decoded, endpoint.map(Self.endpointHash)))
        }
        return Prepared(events: prepared)
    }

    public func apply(_ batch: Prepared, in transaction: ProjectionTransaction, store: ProjectionStore) throws {
        let tokens = try store.table("tokens")
        let byEndpoint = try store.table("by-endpoint")
        let byContact = try store.table("by-contact")
        let vapid = try store.table("vapid")
        for (meta, event, endpointHash) in batch.events {
            if case .vapidKeyAdded(let added) = event {
                let record = VapidKeyRecord(fingerprint: added.fingerprint, publicKey: added.publicKey, origins: added.origins, stream: meta.stream, generated: added.generated)
                try transaction.put(vapid, Array(added.fingerprint.utf8), record.encoded)
                continue
            }
            let key = Self.key(meta.stream)
            let old = try transaction.withValue(tokens, key) { bytes in try bytes.map { try TokenState(decoding: $0) } }
            guard let new = TokenState.fold(old, event, endpointHash: endpointHash, meta: meta), new != old else { continue }
            if let hash = old?.endpointHash, hash != new.endpointHash { _ = try transaction.delete(byEndpoint, hash) }
            if let hash = new.endpointHash, hash != old?.endpointHash { try transaction.put(byEndpoint, hash, key) }
            if let contact = old?.contact, contact != new.contact { _ = try transaction.delete(byContact, Self.key(contact) + key) }
            if let contact = new.contact, contact != old?.contact { try transaction.put(byContact, Self.key(contact) + key, []) }
            try transaction.put(tokens, key, new.encoded)
        }
    }
}
