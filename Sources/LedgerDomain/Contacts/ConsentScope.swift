/// What a consent is for: a channel and a purpose (or list). Consent state is kept per scope.
public struct ConsentScope: Hashable, Sendable {
    /// The channel messages go through.
    public var channel: ConsentChannel
    /// The purpose or list name, e.g. `newsletter`; not personal data.
    public var purpose: String

    /// Names a scope.
    public init(channel: ConsentChannel, purpose: String) {
        self.channel = channel
        self.purpose = purpose
    }
}
