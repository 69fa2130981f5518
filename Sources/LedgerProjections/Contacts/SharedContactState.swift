import LedgerDomain

/// A contact state held by reference, so that the thread that folds it ahead (a bulk
/// import's preparer) can hand it to the one that plans and projects its batch without
/// copying it: a copy of a state retains each of its tables and lists, and releases them
/// again when it is dropped.
public final class SharedContactState: Sendable {
    /// The state; never changed once shared.
    public let state: ContactState
    /// Its stored bytes after the head, when encoded ahead (`ContactState.encodedTail`): a new
    /// contact's state is placed at its stream and time, which only the head holds, so the
    /// projection then writes the head and these bytes instead of encoding the state.
    public let tail: [UInt8]?

    /// Shares `state`; with `encodingTail`, its tail is encoded now, on the calling thread.
    public init(_ state: consuming ContactState, encodingTail: Bool = false) {
        tail = encodingTail ? state.encodedTail() : nil
        self.state = state
    }

    /// Appends the stored bytes of the state placed at `stream` and `recordedAt`.
    public func encode(placedIn stream: StreamID, recordedAt: Int64, into writer: inout BinaryWriter) {
        guard let tail else {
            state.encode(placedIn: stream, recordedAt: recordedAt, into: &writer)
            return
        }
        ContactState.writeHead(flags: state.flags, id: stream, createdAt: recordedAt, updatedAt: recordedAt, into: &writer)
        writer.writeRaw(tail)
    }
}
