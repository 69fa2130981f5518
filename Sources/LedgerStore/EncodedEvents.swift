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

    /// Encodes `event` after the others.
    public mutating func append(_ event: NewEvent) {
        var writer = BinaryWriter(continuing: bytes)
        bytes = []
        EventRecord.encodeBody(event, stream: StreamID(0), version: 0, recordedAt: 0, into: &writer)
        bytes = writer.bytes
        ends.append(bytes.count)
    }
}
