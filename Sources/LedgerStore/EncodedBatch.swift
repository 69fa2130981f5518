import LedgerDomain

/// A batch of append requests with every event body already encoded.
///
/// Encoding happens on the caller's thread, so the single writer thread only fills in the
/// stream, version and time (fixed offsets), hashes, and stores. The bodies lie end to end
/// in one buffer.
struct EncodedBatch: Sendable {
    /// One request: its target, expectation and the range of its events.
    struct Request: Sendable {
        let target: AppendRequest.Target
        let expected: ExpectedVersion
        let events: Range<Int>
        /// The stream's new data key, stored with the events.
        let dataKey: DataKey?
        /// Identity claims to check and record (`IdentityChanges`).
        let identity: IdentityChanges?
    }

    /// The bodies, end to end.
    let bytes: [UInt8]
    /// Event `i` spans `offsets[i]..<offsets[i + 1]` of `bytes`.
    let offsets: [Int]
    /// The requests, in order.
    let requests: [Request]
    /// A progress mark to record in the same transaction, if any.
    let progress: ProgressMark?

    /// Encodes `requests`; an empty request is refused here, before it reaches the writer.
    init(_ requests: [AppendRequest], progress: ProgressMark? = nil) throws {
        self.progress = progress
        var writer = BinaryWriter(capacity: requests.reduce(0) { $0 + $1.events.count * 256 + $1.encoded.bytes.count })
        var offsets = [0]
        var encoded = [Request]()
        encoded.reserveCapacity(requests.count)
        // By index, reading each request in place: `for request in requests` copied each one
        // (a retain of each of its parts, and a release after).
        for index in requests.indices {
            guard requests[index].eventCount > 0 else {
                throw LedgerError(.invalidRequest, "an append request must carry at least one event")
            }
            let first = offsets.count - 1
            let start = writer.bytes.count
            writer.writeRaw(requests[index].encoded.bytes)
            for end in requests[index].encoded.ends { offsets.append(start + end) }
            for event in requests[index].events {
                EventRecord.encodeBody(event, stream: StreamID(0), version: 0, recordedAt: 0, into: &writer)
                offsets.append(writer.bytes.count)
            }
            encoded.append(Request(target: requests[index].target, expected: requests[index].expected, events: first..<(offsets.count - 1), dataKey: requests[index].dataKey, identity: requests[index].identity))
        }
        self.bytes = writer.bytes
        self.offsets = offsets
        self.requests = encoded
    }

    /// Lays `parts` end to end: each of their streams a request for a new stream, in order.
    init(_ parts: [NewStreamRequests], progress: ProgressMark? = nil) {
        self.progress = progress
        var bytes = [UInt8]()
        bytes.reserveCapacity(parts.reduce(0) { $0 + $1.events.bytes.count })
        var offsets = [0]
        offsets.reserveCapacity(parts.reduce(1) { $0 + $1.events.count })
        var requests = [Request]()
        requests.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for part in parts {
            let base = bytes.count
            bytes.append(contentsOf: part.events.bytes)
            for end in part.events.ends { offsets.append(base + end) }
            var first = offsets.count - 1 - part.events.count
            for stream in part.streams {
                requests.append(Request(target: .newIn(stream.category), expected: .noStream, events: first..<(first + stream.eventCount), dataKey: stream.dataKey, identity: nil))
                first += stream.eventCount
            }
        }
        self.bytes = bytes
        self.offsets = offsets
        self.requests = requests
    }

    /// The id of event `index`.
    func id(_ index: Int) -> EventID {
        bytes.withUnsafeBytes { raw in
            let base = offsets[index] + EventRecord.idOffset
            return EventID(
                high: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: base, as: UInt64.self)),
                low: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: base + 8, as: UInt64.self))
            )
        }
    }
}
