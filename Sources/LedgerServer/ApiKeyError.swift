/// Why an API-key command was refused. Messages name keys, never secrets.
public struct ApiKeyError: Error, Sendable, CustomStringConvertible {
    /// The kind of refusal; a struct over a private enum, so codes can be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable { case invalidName, invalidScope, exists, notFound }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The name is empty, too long, or has characters other than a-z, 0-9, `.`, `_`, `-`.
        public static let invalidName = Code(.invalidName)
        /// A scope this build does not know, or none.
        public static let invalidScope = Code(.invalidScope)
        /// A key of that name exists (revoked names are not reused either: audit lines name keys).
        public static let exists = Code(.exists)
        /// No live key has that name.
        public static let notFound = Code(.notFound)

        public var description: String { "\(base)" }
    }

    /// The kind of refusal.
    public let code: Code
    /// What is wrong.
    public let message: String

    /// Describes a refusal.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
