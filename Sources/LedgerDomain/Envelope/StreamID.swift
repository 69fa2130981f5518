/// The number of one stream of the ledger: one contact (or one other entity) has one stream.
///
/// Numbers are handed out in order by the store, so the stream index grows at its end.
public struct StreamID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The stream's number; the first stream is 1.
    public let rawValue: UInt64

    /// Wraps a stream number.
    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// Wraps a stream number.
    public init(_ rawValue: UInt64) {
        self.rawValue = rawValue
    }

    public static func < (lhs: StreamID, rhs: StreamID) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { String(rawValue) }
}

/// What a writer expects a stream's version to be before its events are appended.
public enum ExpectedVersion: Hashable, Sendable, CustomStringConvertible {
    /// Append whatever the stream's version.
    case any
    /// The stream must have no events yet.
    case noStream
    /// The stream's last event must have exactly this version (1 = one event).
    case exact(UInt64)

    public var description: String {
        switch self {
        case .any: "any"
        case .noStream: "no stream"
        case .exact(let version): "version \(version)"
        }
    }
}
