/// A contact state held by reference, so that the thread that folds it ahead (a bulk
/// import's preparer) can hand it to the one that plans and projects its batch without
/// copying it: a copy of a state retains each of its tables and lists, and releases them
/// again when it is dropped.
public final class SharedContactState: Sendable {
    /// The state; never changed once shared.
    public let state: ContactState

    /// Shares `state`.
    public init(_ state: ContactState) {
        self.state = state
    }
}
