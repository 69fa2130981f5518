/// Why a token import cannot run at all (a bad option, a file it cannot read as any token
/// format): the file and what to do, never a token's value.
public struct TokenImportError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure, for the exit status.
    public enum Code: Sendable {
        /// An option or mapping that cannot work (usage).
        case mapping
        /// The file is not what its format says (bad data).
        case content
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
