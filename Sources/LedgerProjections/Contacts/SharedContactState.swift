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
    /// projection then writes the head and these bytes instead of encoding the state. For a
    /// state with consents (whose positions and unstated times placing sets too), the bytes
    /// before the consents, and `tailAfterConsents` the bytes after them.
    public let tail: [UInt8]?
    /// The stored bytes after the consents, when the state has consents and was encoded ahead.
    public let tailAfterConsents: [UInt8]?

    /// Shares `state`; with `encodingTail`, its tail is encoded now, on the calling thread.
    public init(_ state: consuming ContactState, encodingTail: Bool = false) {
        if !encodingTail {
            tail = nil
            tailAfterConsents = nil
        } else if state.consents.isEmpty {
            tail = state.encodedTail()
            tailAfterConsents = nil
        } else {
            let parts = state.encodedTailAroundConsents()
            tail = parts.before
            tailAfterConsents = parts.after
        }
        self.state = state
    }

    /// Appends the stored bytes of the state placed at `stream` and `recordedAt`, its first
    /// event at `firstPosition` (`ContactState.placed`).
    public func encode(placedIn stream: StreamID, recordedAt: Int64, firstPosition: UInt64, into writer: inout BinaryWriter) {
        guard let tail else {
            state.encode(placedIn: stream, recordedAt: recordedAt, firstPosition: firstPosition, into: &writer)
            return
        }
        ContactState.writeHead(flags: state.flags, id: stream, createdAt: recordedAt, updatedAt: recordedAt, into: &writer)
        writer.writeRaw(tail)
        if let tailAfterConsents {
            state.encodeConsents(placedAt: recordedAt, firstPosition: firstPosition, into: &writer)
            writer.writeRaw(tailAfterConsents)
        }
    }
}
