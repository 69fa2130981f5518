/// A consent as plain JSON: per channel, and within it per purpose.
///
/// The contact document keys consent by channel, as the CLI and export show it; a channel may
/// hold several purposes, so the channel's entry gives its latest decision (the scope set by
/// the most recent event) and `purposes` gives each one.
public struct ConsentDocument: Codable, Hashable, Sendable {
    /// The status's kebab-case word, e.g. `subscribed-unconfirmed`.
    public var status: String
    /// When the status was set, ISO 8601 in UTC.
    public var since: String
    /// The method of the event that set it, e.g. `double-opt-in`.
    public var method: String
    /// Each purpose's consent, on a channel's entry; nil within a purpose.
    public var purposes: [String: ConsentDocument]?

    /// Describes a consent.
    public init(status: String, since: String, method: String, purposes: [String: ConsentDocument]? = nil) {
        self.status = status
        self.since = since
        self.method = method
        self.purposes = purposes
    }
}
