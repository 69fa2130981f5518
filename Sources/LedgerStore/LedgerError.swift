import LedgerDomain

/// Why the ledger refused or failed an operation.
///
/// The message names streams, positions and event ids, never payload values, so it is safe
/// to log. `code` is a struct over a private enum so that new cases do not break callers.
public struct LedgerError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure, for programs to branch on.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case wrongExpectedVersion, streamNotFound, partialDuplicate, corrupt
            case storage, unsupportedFormat, closed, invalidRequest
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The stream's version was not what the writer expected.
        public static let wrongExpectedVersion = Code(.wrongExpectedVersion)
        /// An append named a stream that has no events.
        public static let streamNotFound = Code(.streamNotFound)
        /// Some but not all events of a request were already recorded.
        public static let partialDuplicate = Code(.partialDuplicate)
        /// Stored bytes or indexes are not what the ledger wrote.
        public static let corrupt = Code(.corrupt)
        /// LMDB failed.
        public static let storage = Code(.storage)
        /// The store was written by a newer format this build cannot read.
        public static let unsupportedFormat = Code(.unsupportedFormat)
        /// The ledger was closed.
        public static let closed = Code(.closed)
        /// The request itself is malformed (e.g. no events).
        public static let invalidRequest = Code(.invalidRequest)

        public var description: String { "\(base)" }
    }

    /// The kind of failure.
    public let code: Code
    /// What went wrong, in words fit for an operator.
    public let message: String
    /// The underlying error, when there is one.
    public let cause: (any Error & Sendable)?

    /// Describes a failure.
    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        if let cause { return "\(message): \(cause)" }
        return message
    }

    static func wrongExpectedVersion(stream: StreamID, expected: ExpectedVersion, actual: UInt64) -> LedgerError {
        LedgerError(
            .wrongExpectedVersion,
            "conflict on stream \(stream): expected \(expected), but the stream is at version \(actual)"
        )
    }
}
