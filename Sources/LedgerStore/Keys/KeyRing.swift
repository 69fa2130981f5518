import LedgerDomain
import Synchronization

/// Unseals the personal data of events for one reading job, remembering the data keys it has
/// unwrapped (up to `capacity` streams, then it starts afresh).
///
/// Make one per job rather than keeping one for the life of a process: a key destroyed by an
/// erasure elsewhere stays usable in a ring that already unwrapped it.
public final class KeyRing: Sendable {
    /// The ledger whose keys it reads.
    public let ledger: Ledger
    /// How many streams' keys it keeps at most.
    public let capacity: Int
    private let cache = Mutex<[UInt64: DataKey?]>([:])

    /// A ring over `ledger`'s keys.
    public init(ledger: Ledger, capacity: Int = 65_536) {
        self.ledger = ledger
        self.capacity = capacity
    }

    /// The data key of `stream`; nil when it has none (erased).
    public func key(for stream: StreamID) throws -> DataKey? {
        if let cached = cache.withLock({ $0[stream.rawValue] }) { return cached }
        let key = try ledger.dataKey(for: stream)
        cache.withLock { cache in
            if cache.count >= capacity { cache.removeAll(keepingCapacity: true) }
            cache[stream.rawValue] = .some(key)
        }
        return key
    }

    /// Remembers `key` for `stream` (a writer that has just made it).
    public func remember(_ key: DataKey, for stream: StreamID) {
        cache.withLock { cache in
            if cache.count >= capacity { cache.removeAll(keepingCapacity: true) }
            cache[stream.rawValue] = .some(key)
        }
    }

    /// The event's personal data in plain form: as stored when not sealed, unsealed with its
    /// stream's key otherwise, nil when that key is gone (the contact was erased). A sealed
    /// payload that does not open with the key is an error (altered or misplaced).
    public func personalData(of event: RecordedEvent) throws -> [UInt8]? {
        guard event.personalDataSealed else { return Array(event.personalData) }
        guard let key = try key(for: event.stream) else { return nil }
        return try key.open(event.personalData, for: event.id)
    }
}

extension ContactEvent {
    /// Decodes a recorded event, unsealing its personal data with `keys`; personal values of
    /// an erased contact read as erased.
    public init(decoding event: RecordedEvent, keys: KeyRing) throws {
        self = try ContactEvent(decoding: event, personalData: try keys.personalData(of: event))
    }
}

extension LedgerEvent {
    /// Decodes a recorded event by its family, unsealing its personal data with `keys`;
    /// personal values of an erased contact read as erased.
    public init(decoding event: RecordedEvent, keys: KeyRing) throws {
        self = try LedgerEvent(decoding: event, personalData: try keys.personalData(of: event))
    }
}
