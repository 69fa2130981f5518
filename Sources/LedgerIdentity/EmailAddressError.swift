/// Why a text is not accepted as an e-mail address.
///
/// `message` and `suggestion` may quote the text the caller passed in, and nothing else personal.
public struct EmailAddressError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure, for code that reacts to it; kinds may be added later.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        // A struct over a private enum, so new kinds are not a breaking change.
        private enum Kind: String {
            case empty = "empty"
            case notAnEmail = "not-an-email"
            case multipleAtSigns = "multiple-at-signs"
            case emptyLocalPart = "empty-local-part"
            case emptyDomain = "empty-domain"
            case containsWhitespace = "contains-whitespace"
            case tooLong = "too-long"
            case invalidCharacters = "invalid-characters"
            case consecutiveDots = "consecutive-dots"
            case dotAtEdge = "dot-at-edge"
            case domainWithoutDot = "domain-without-dot"
            case hyphenAtLabelEdge = "hyphen-at-label-edge"
            case invalidTopLevelDomain = "invalid-top-level-domain"
            case likelyTypo = "likely-typo"
        }

        private let kind: Kind

        private init(_ kind: Kind) {
            self.kind = kind
        }

        /// The stable kebab-case name of the code, e.g. `not-an-email`.
        public var description: String { kind.rawValue }

        /// The text is empty or only whitespace.
        public static let empty = Code(.empty)
        /// There is no `@` at all.
        public static let notAnEmail = Code(.notAnEmail)
        /// There is more than one `@` (quoted local parts are not supported).
        public static let multipleAtSigns = Code(.multipleAtSigns)
        /// Nothing before the `@`.
        public static let emptyLocalPart = Code(.emptyLocalPart)
        /// Nothing after the `@` (`ivan@`).
        public static let emptyDomain = Code(.emptyDomain)
        /// Whitespace inside the address (not only around it).
        public static let containsWhitespace = Code(.containsWhitespace)
        /// Longer than RFC 5321 allows (64 local, 63 per label, 254 in all).
        public static let tooLong = Code(.tooLong)
        /// A character not allowed where it is, including any non-ASCII one.
        public static let invalidCharacters = Code(.invalidCharacters)
        /// Two dots in a row, in the local part or the domain.
        public static let consecutiveDots = Code(.consecutiveDots)
        /// The local part or the domain starts or ends with a dot.
        public static let dotAtEdge = Code(.dotAtEdge)
        /// The domain has no dot (`ivan@localhost`), so no top-level domain.
        public static let domainWithoutDot = Code(.domainWithoutDot)
        /// A domain label starts or ends with `-`.
        public static let hyphenAtLabelEdge = Code(.hyphenAtLabelEdge)
        /// The top-level domain is one character or all digits.
        public static let invalidTopLevelDomain = Code(.invalidTopLevelDomain)
        /// The domain is a known misspelling of a big provider's (`gmail.con`); see `suggestion`.
        public static let likelyTypo = Code(.likelyTypo)
    }

    /// What went wrong.
    public let code: Code
    /// A sentence for a person, saying why.
    public let message: String
    /// The corrected address when the fix is unambiguous (for `likelyTypo`), else nil.
    public let suggestion: String?

    /// Creates an error; `message` must not carry personal data the caller did not pass in.
    public init(code: Code, message: String, suggestion: String? = nil) {
        self.code = code
        self.message = message
        self.suggestion = suggestion
    }

    /// The message, prefixed by the code so that logs can be grepped for it.
    public var description: String { "\(code): \(message)" }
}
