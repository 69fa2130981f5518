/// Why a text could not be read as a phone number.
///
/// `message` may quote the text the caller passed in, and nothing else personal.
public struct PhoneNumberError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure, for code that reacts to it; kinds may be added later.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        // A struct over a private enum, so new kinds are not a breaking change.
        private enum Kind: String {
            case empty = "empty"
            case invalidCharacters = "invalid-characters"
            case notANumber = "not-a-number"
            case invalidCountryCode = "invalid-country-code"
            case tooShort = "too-short"
            case tooLong = "too-long"
            case invalidLength = "invalid-length"
            case notAValidNumber = "not-a-valid-number"
            case unknownRegion = "unknown-region"
            case libraryFailure = "library-failure"
        }

        private let kind: Kind

        private init(_ kind: Kind) {
            self.kind = kind
        }

        /// The stable kebab-case name of the code, e.g. `too-short`.
        public var description: String { kind.rawValue }

        /// The text is empty or only whitespace.
        public static let empty = Code(.empty)
        /// The text holds a character other than digits, separators and a leading `+`.
        public static let invalidCharacters = Code(.invalidCharacters)
        /// The text does not look like a phone number at all.
        public static let notANumber = Code(.notANumber)
        /// The country could not be told: unknown calling code, or no default region.
        public static let invalidCountryCode = Code(.invalidCountryCode)
        /// Fewer digits than any number of that country has.
        public static let tooShort = Code(.tooShort)
        /// More digits than any number of that country has.
        public static let tooLong = Code(.tooLong)
        /// A digit count that no number of that country has.
        public static let invalidLength = Code(.invalidLength)
        /// The right length, but not a number range that the country uses.
        public static let notAValidNumber = Code(.notAValidNumber)
        /// The normaliser was configured with a region code the library does not know.
        public static let unknownRegion = Code(.unknownRegion)
        /// libphonenumber failed for a reason of its own (for example memory).
        public static let libraryFailure = Code(.libraryFailure)
    }

    /// What went wrong.
    public let code: Code
    /// A sentence for a person, saying why.
    public let message: String
    /// The raw `clpn_status` from the C shim, or nil when the text was rejected before it.
    public let libraryStatus: Int?

    /// Creates an error; `message` must not carry personal data the caller did not pass in.
    public init(code: Code, message: String, libraryStatus: Int? = nil) {
        self.code = code
        self.message = message
        self.libraryStatus = libraryStatus
    }

    /// The message, prefixed by the code so that logs can be grepped for it.
    public var description: String { "\(code): \(message)" }
}
