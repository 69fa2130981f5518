/// Why a form command or a submission was refused. Messages name forms and fields, never a
/// value a person submitted.
public struct FormError: Error, Sendable, CustomStringConvertible {
    /// The kind of refusal; a struct over a private enum, so codes can be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable { case invalidDefinition, exists, notFound, invalidSubmission, unauthorized, rateLimited }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A form definition the rules refuse (a name, a field, a URL, an origin).
        public static let invalidDefinition = Code(.invalidDefinition)
        /// A form of that name exists already.
        public static let exists = Code(.exists)
        /// No form has that name.
        public static let notFound = Code(.notFound)
        /// A submission with a missing or bad value.
        public static let invalidSubmission = Code(.invalidSubmission)
        /// A webhook without the form's secret or with a bad signature.
        public static let unauthorized = Code(.unauthorized)
        /// Too many submissions from one address or to one form.
        public static let rateLimited = Code(.rateLimited)

        public var description: String { "\(base)" }
    }

    /// The kind of refusal.
    public let code: Code
    /// What is wrong.
    public let message: String
    /// For a submission: the form field each problem is about, with what is wrong there.
    public var fieldProblems: [String: String]

    /// Describes a refusal.
    public init(_ code: Code, _ message: String, fieldProblems: [String: String] = [:]) {
        self.code = code
        self.message = message
        self.fieldProblems = fieldProblems
    }

    public var description: String { message }
}
