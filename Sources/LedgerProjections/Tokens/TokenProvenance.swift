import LedgerDomain
import LedgerStore

/// One token's whole chain, read from its stream: where it came from, when, from which batch
/// and row, every change since, each with its envelope (position, time, actor, source).
public struct TokenProvenance: Sendable {
    /// One event of the chain.
    public struct Entry: Sendable {
        /// The recorded event's envelope.
        public let event: RecordedEvent
        /// The decoded event, personal values unsealed (or erased once the key is gone).
        public let decoded: TokenEvent
    }

    /// The token's stream.
    public let stream: StreamID
    /// Its events in order.
    public let entries: [Entry]

    /// Reads `stream`'s chain, unsealing with a key ring made for this read.
    public init(ledger: Ledger, stream: StreamID) throws {
        let keys = ledger.keyRing(capacity: 16)
        self.stream = stream
        entries = try ledger.readStream(stream).compactMap { event in
            guard case .tokens(let decoded) = try LedgerEvent(decoding: event, keys: keys) else { return nil }
            return Entry(event: event, decoded: decoded)
        }
    }
}
