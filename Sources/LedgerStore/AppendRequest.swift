import LedgerDomain

/// Events to append to one stream, with the version the writer expects it to be at.
public struct AppendRequest: Sendable {
    /// Which stream the events go to.
    public enum Target: Hashable, Sendable {
        /// A new contact stream; the ledger gives it the next contact number.
        case new
        /// A new stream of another category, numbered within it (`StreamCategory`).
        case newIn(StreamCategory)
        /// A stream that already has events.
        case existing(StreamID)
    }

    /// Which stream the events go to.
    public var target: Target
    /// The version the stream must be at; checked in the same transaction as the write.
    public var expected: ExpectedVersion
    /// The events, in order, after `encoded`.
    public var events: [NewEvent]
    /// Events encoded ahead (already sealed), appended before `events`.
    public var encoded: EncodedEvents
    /// The data key the events' personal data is sealed with, for a stream that has none yet
    /// (a new contact): stored, wrapped, in the same transaction as the events.
    public var dataKey: DataKey?
    /// The unique values the stream takes and gives up with these events, checked against
    /// other streams' claims in the write transaction (`IdentityChanges`).
    public var identity: IdentityChanges?

    /// Describes an append.
    public init(target: Target, expected: ExpectedVersion = .any, events: [NewEvent], dataKey: DataKey? = nil, encoded: EncodedEvents = EncodedEvents(), identity: IdentityChanges? = nil) {
        self.identity = identity
        self.target = target
        self.expected = expected
        self.events = events
        self.dataKey = dataKey
        self.encoded = encoded
    }

    /// The number of events: those encoded ahead and the others.
    public var eventCount: Int {
        encoded.count + events.count
    }

    /// Events for a new stream.
    public static func newStream(_ events: [NewEvent], dataKey: DataKey? = nil) -> AppendRequest {
        AppendRequest(target: .new, expected: .noStream, events: events, dataKey: dataKey)
    }
}

extension AppendRequest.Target {
    /// Whether the target is a new stream, of any category.
    public var makesStream: Bool {
        switch self {
        case .new, .newIn: true
        case .existing: false
        }
    }
}

/// What one append request did.
public struct AppendResult: Hashable, Sendable {
    /// The stream the events are in (the new stream's number for `.new`).
    public let stream: StreamID
    /// The positions of the request's events, in order (the original ones for duplicates).
    public let positions: [UInt64]
    /// The stream's version after the request.
    public let version: UInt64
    /// How many of the events were already in the ledger and so not appended again.
    public let duplicates: Int

    /// Whether every event was already recorded.
    public var wasDuplicate: Bool { duplicates == positions.count }
}

/// A bulk writer's note of how far it got, recorded atomically with the batch it marks, so
/// that a re-run after a crash can skip exactly what is already in the ledger.
public struct ProgressMark: Hashable, Sendable {
    /// Whose progress: e.g. `import:` and the file's SHA-256.
    public var key: String
    /// How far: e.g. the number of the last batch recorded.
    public var value: UInt64

    /// Describes a progress mark.
    public init(key: String, value: UInt64) {
        self.key = key
        self.value = value
    }
}
