import LedgerDomain

/// Events encoded for the log before the request that appends them is made: their bodies end
/// to end, with stream, version and time left blank for the writer, exactly as `Ledger.append`
/// would encode them.
///
/// A bulk writer builds (and seals) events on another thread than the one that appends them;
/// an `AppendRequest` carries such events ahead of its `events`. One buffer per request instead
/// of a `NewEvent` with its arrays per event also keeps the batches waiting in memory small.
public struct EncodedEvents: Sendable {
    /// The bodies, end to end.
    public private(set) var bytes: [UInt8] = []
    /// Where each body ends in `bytes`.
    public private(set) var ends: [Int] = []

    /// No events.
    public init() {}

    /// The number of events.
    @inlinable public var count: Int { ends.count }

    /// Whether there are no events.
    @inlinable public var isEmpty: Bool { ends.isEmpty }

    /// Room for `events` more events of `bytes` bytes in all, so appending them allocates once.
    public mutating func reserveCapacity(events: Int, bytes byteCount: Int) {
        ends.reserveCapacity(ends.count + events)
        bytes.reserveCapacity(bytes.count + byteCount)
    }

    /// Drops the events after the first `count` (at most `self.count`).
    mutating func removeEvents(after count: Int) {
        bytes.removeSubrange((count == 0 ? 0 : ends[count - 1])...)
        ends.removeSubrange(count...)
    }

    /// Encodes `event` after the others.
    public mutating func append(_ event: NewEvent) {
        var writer = BinaryWriter(continuing: bytes)
        bytes = []
        EventRecord.encodeBody(event, stream: StreamID(0), version: 0, recordedAt: 0, into: &writer)
        bytes = writer.bytes
        ends.append(bytes.count)
    }

    /// Encodes `event` after the others exactly as `append(_:)` encodes
    /// `event.newEvent(id:actor:source:)` with its personal data (if any) sealed under `key`,
    /// but with no `NewEvent` or payload arrays: the payload is encoded in `scratch`, whose
    /// buffers are reused, and sealed straight into the bodies. On error nothing is appended.
    public mutating func append(
        _ event: ContactEvent,
        id: EventID,
        actor: Actor,
        source: Source,
        sealingWith key: DataKey,
        cipher: PayloadCipher,
        scratch: inout EncodingScratch
    ) throws {
        scratch.data.removeAll()
        scratch.personal.removeAll()
        event.encodePayload(data: &scratch.data, personal: &scratch.personal)
        try appendEncoded(type: event.type, id: id, actor: actor, source: source, causation: nil, sealingWith: key, cipher: cipher, scratch: &scratch)
    }

    /// Encodes a token event after the others as `append(_:)` encodes
    /// `event.newEvent(id:actor:source:causation:)` with its personal data (if any) sealed
    /// under `key`, through `scratch` as the contact events' counterpart does. On error
    /// nothing is appended.
    public mutating func append(
        _ event: TokenEvent,
        id: EventID,
        actor: Actor,
        source: Source,
        causation: EventID?,
        sealingWith key: DataKey,
        cipher: PayloadCipher,
        scratch: inout EncodingScratch
    ) throws {
        scratch.data.removeAll()
        scratch.personal.removeAll()
        event.encodePayload(data: &scratch.data, personal: &scratch.personal)
        try appendEncoded(type: event.type, id: id, actor: actor, source: source, causation: causation, sealingWith: key, cipher: cipher, scratch: &scratch)
    }

    /// Appends the event whose payload `scratch` holds, its personal part sealed under `key`.
    private mutating func appendEncoded(
        type: EventType, id: EventID, actor: Actor, source: Source, causation: EventID?,
        sealingWith key: DataKey, cipher: PayloadCipher, scratch: inout EncodingScratch
    ) throws {
        let start = bytes.count
        var writer = BinaryWriter(continuing: bytes)
        bytes = []
        let personal = scratch.personal.bytes
        EventRecord.encodeHead(
            id: id, type: type, actor: actor, source: source, correlationID: nil, causationID: causation,
            personalDataSealed: !personal.isEmpty, stream: StreamID(0), version: 0, recordedAt: 0, into: &writer
        )
        writer.writeBytes(scratch.data.bytes)
        writer.writeVarint(UInt64(personal.isEmpty ? 0 : personal.count + DataKey.sealingOverhead))
        do {
            if !personal.isEmpty {
                try writer.appending { body in
                    try personal.withUnsafeBytes { try key.seal($0, for: id, with: cipher, appendingTo: &body) }
                }
            }
        } catch {
            bytes = writer.bytes
            bytes.removeSubrange(start...)
            throw error
        }
        bytes = writer.bytes
        ends.append(bytes.count)
    }
}

/// The buffers `EncodedEvents.append(_:id:actor:source:sealingWith:cipher:scratch:)` encodes
/// payloads in: kept by the caller and reused for every event, so encoding one allocates
/// nothing. Not shared between threads.
public struct EncodingScratch {
    var data = BinaryWriter(capacity: 64)
    var personal = BinaryWriter(capacity: 256)
    /// Bytes to reserve for the next events the caller encodes: its own guess, such as the
    /// size of the last ones.
    public var sizeHint = 0

    /// Empty buffers.
    public init() {}
}
