/// A token operation that cannot be done: a code for programs, a sentence for people, never a
/// token's value.
public struct TokenError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure, as a struct so that codes can grow.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// No such token, contact or key.
        public static let notFound = Code("notFound")
        /// A value the rules refuse (a malformed key, a mismatched pair, an origin that is not https).
        public static let invalidValue = Code("invalidValue")
        /// The token was erased; nothing more can be recorded about it.
        public static let erased = Code("erased")
        /// The key or token is already held.
        public static let alreadyExists = Code("alreadyExists")
        public var description: String { name }
    }

    /// What kind of failure.
    public let code: Code
    /// The sentence.
    public let message: String

    /// Makes an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
