/// A stored event that cannot be read as its family's event (e.g. a `ContactEvent`).
///
/// The message names the type tag, the position and the byte offset, never payload content:
/// errors end up in logs, and payloads hold personal data.
public struct DomainEventError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong; a struct over a private enum so that codes can be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case unknownType, malformedData, malformedPersonalData
        }

        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The type tag or its version is not one this build reads (a newer writer, or a typo).
        public static let unknownType = Code(.unknownType)
        /// The non-personal payload does not have the shape its type and version say.
        public static let malformedData = Code(.malformedData)
        /// The (plain or unsealed) personal payload does not have the shape its type and version say.
        public static let malformedPersonalData = Code(.malformedPersonalData)

        public var description: String {
            switch value {
            case .unknownType: "unknown event type"
            case .malformedData: "malformed data"
            case .malformedPersonalData: "malformed personal data"
            }
        }
    }

    /// What went wrong.
    public let code: Code
    /// The event's type tag and version as stored.
    public let type: EventType
    /// The event's position in the log, when decoding a recorded event.
    public let position: UInt64?
    /// Details: what was being read and where; never payload content.
    public let message: String

    /// Describes a failure to decode an event.
    public init(code: Code, type: EventType, position: UInt64?, message: String) {
        self.code = code
        self.type = type
        self.position = position
        self.message = message
    }

    public var description: String {
        let place = position.map { "event at position \($0)" } ?? "event"
        return "\(place) (\(type)): \(code): \(message)"
    }
}
