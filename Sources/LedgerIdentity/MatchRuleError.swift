/// A match rule spelling that is not one of `MatchRule.cliSpellings`.
public struct MatchRuleError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The spelling the caller passed in.
    public let spelling: String

    /// Creates the error for `spelling`.
    public init(spelling: String) {
        self.spelling = spelling
    }

    /// A sentence for a person, naming the valid spellings.
    public var message: String {
        "unknown match rule '\(spelling)'; expected one of: \(MatchRule.cliSpellings.joined(separator: ", "))"
    }

    /// The message.
    public var description: String { message }
}
