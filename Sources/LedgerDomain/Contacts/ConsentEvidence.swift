/// The personal proof attached to a consent event: where the person acted from.
public struct ConsentEvidence: Hashable, Sendable {
    /// The IP address the request came from, when known.
    public var ipAddress: String?
    /// The browser's or app's user agent, when known.
    public var userAgent: String?

    /// Evidence with what is known.
    public init(ipAddress: String? = nil, userAgent: String? = nil) {
        self.ipAddress = ipAddress
        self.userAgent = userAgent
    }

    /// No evidence: an import or an API call that did not pass any.
    public static let none = ConsentEvidence()
}
