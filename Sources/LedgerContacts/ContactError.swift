import LedgerDomain

/// Why a contact command was refused.
///
/// Messages name contacts by their number and repeat only what the caller sent (an e-mail or
/// phone from this request), never another contact's personal data.
public struct ContactError: Error, Sendable, CustomStringConvertible {
    /// The kind of refusal, for programs to branch on.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case identityConflict, notFound, invalidIdentifier, missingIdentifier, invalidField, notCreated, invalidRequest
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The request's identifiers belong to different contacts.
        public static let identityConflict = Code(.identityConflict)
        /// No contact has that key.
        public static let notFound = Code(.notFound)
        /// An e-mail or phone is not valid.
        public static let invalidIdentifier = Code(.invalidIdentifier)
        /// The identifier the match rule needs is missing.
        public static let missingIdentifier = Code(.missingIdentifier)
        /// A field value breaks the field rules or its declared type.
        public static let invalidField = Code(.invalidField)
        /// No contact matched and creating one was not allowed.
        public static let notCreated = Code(.notCreated)
        /// The request itself is malformed.
        public static let invalidRequest = Code(.invalidRequest)

        public var description: String { "\(base)" }
    }

    /// The kind of refusal.
    public let code: Code
    /// What is wrong, for the person who sent the request.
    public let message: String
    /// The contacts involved (for an identity conflict, both).
    public let contacts: [StreamID]
    /// The error underneath (a field rule's, an e-mail's, the store's), when there is one: kept
    /// for programs and logs, while `message` is what the person who sent the request reads.
    public let cause: (any Error & Sendable)?

    /// Describes a refusal.
    public init(_ code: Code, _ message: String, contacts: [StreamID] = [], cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.contacts = contacts
        self.cause = cause
    }

    public var description: String { message }
}
