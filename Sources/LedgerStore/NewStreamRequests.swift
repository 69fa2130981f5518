import LedgerDomain

/// Requests that each make a new stream, their events encoded ahead into one buffer: what an
/// `AppendRequest` per stream, each with its own `EncodedEvents`, would hold, without the two
/// arrays, the request and its copies per stream.
///
/// A bulk writer (the token import) builds one per chunk of a batch on each core and hands the
/// chunks to `Ledger.submit(newStreams:progress:)`, which lays them end to end for the writer.
public struct NewStreamRequests: Sendable {
    /// One new stream: its category, how many of `events` are its (the next ones), its key.
    struct Stream: Sendable {
        let category: StreamCategory
        let eventCount: Int
        let dataKey: DataKey?
    }

    /// Every stream's events, end to end, in stream order.
    public private(set) var events = EncodedEvents()
    private(set) var streams: [Stream] = []

    /// No requests.
    public init() {}

    /// The number of new streams.
    public var count: Int { streams.count }

    /// Room for `streams` more streams of `events` events and `bytes` bytes in all.
    public mutating func reserveCapacity(streams count: Int, events eventCount: Int, bytes: Int) {
        streams.reserveCapacity(streams.count + count)
        events.reserveCapacity(events: eventCount, bytes: bytes)
    }

    /// Adds a new stream of `category` (as `AppendRequest(target: .newIn(category), expected:
    /// .noStream, …)` would), whose events `encode` appends, sealed under `dataKey`. On error,
    /// or when `encode` appends no event, nothing is added.
    public mutating func append(newIn category: StreamCategory, dataKey: DataKey?, encode: (inout EncodedEvents) throws -> Void) throws {
        let before = events.count
        do {
            try encode(&events)
        } catch {
            events.truncate(toCount: before)
            throw error
        }
        guard events.count > before else {
            throw LedgerError(.invalidRequest, "an append request must carry at least one event")
        }
        streams.append(Stream(category: category, eventCount: events.count - before, dataKey: dataKey))
    }
}

extension EncodedEvents {
    /// Drops the events after the first `count`.
    mutating func truncate(toCount count: Int) {
        guard count < self.count else { return }
        removeEvents(after: count)
    }
}
