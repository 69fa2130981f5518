/// A failure of the outbox: a request or header it refuses, an SMTP exchange that went wrong,
/// a record it cannot read. Messages never hold a recipient's address or a mail's text.
public struct MailError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong; a struct over a private enum so that codes can be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case invalidRequest, unsafeHeader, invalidAddress, notFound, smtp, configuration
        }

        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// A mail request the outbox refuses (a field out of bounds).
        public static let invalidRequest = Code(.invalidRequest)
        /// A header value with CR, LF or another control character (header injection).
        public static let unsafeHeader = Code(.unsafeHeader)
        /// An address that is not a plain `local@domain`.
        public static let invalidAddress = Code(.invalidAddress)
        /// No mail has that reference.
        public static let notFound = Code(.notFound)
        /// The SMTP exchange failed (see `SMTPError` for the reply).
        public static let smtp = Code(.smtp)
        /// A sender setting that cannot work (e.g. a file that cannot be read).
        public static let configuration = Code(.configuration)

        public var description: String {
            switch value {
            case .invalidRequest: "invalid mail request"
            case .unsafeHeader: "unsafe header"
            case .invalidAddress: "invalid address"
            case .notFound: "not found"
            case .smtp: "smtp"
            case .configuration: "configuration"
            }
        }
    }

    /// What went wrong.
    public let code: Code
    /// What and where; never an address or a mail's text.
    public let message: String

    /// Describes a failure.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
