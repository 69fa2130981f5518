/// The personal proof attached to a consent event: where the person acted from, and what an
/// operator who recorded it by hand holds as proof.
public struct ConsentEvidence: Hashable, Sendable {
    /// The IP address the request came from, when known.
    public var ipAddress: String?
    /// The browser's or app's user agent, when known.
    public var userAgent: String?
    /// What proves the consent when a person recorded it by hand ("signed paper form
    /// 2026-03-02"); personal, since it may name the person. Stored from payload v2 on.
    public var note: String?

    /// Evidence with what is known.
    public init(ipAddress: String? = nil, userAgent: String? = nil, note: String? = nil) {
        self.ipAddress = ipAddress
        self.userAgent = userAgent
        self.note = note
    }

    /// No evidence: an import or an API call that did not pass any.
    public static let none = ConsentEvidence()
}
