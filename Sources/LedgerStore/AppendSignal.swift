import Synchronization

/// Wakes the subscriptions of this process when the writer commits.
///
/// Each subscription registers a continuation; `notify` yields to all of them. With
/// `.bufferingNewest(1)` a burst of commits costs a subscriber one wake-up, not many.
final class AppendSignal: Sendable {
    private struct State {
        var next = 0
        var waiters: [Int: AsyncStream<Void>.Continuation] = [:]
        var finished = false
    }

    private let state = Mutex(State())

    /// A stream that yields after every commit, until it is dropped or the ledger closes.
    func subscribe() -> (id: Int, stream: AsyncStream<Void>) {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = state.withLock { state in
            state.next += 1
            if state.finished {
                continuation.finish()
            } else {
                state.waiters[state.next] = continuation
            }
            return state.next
        }
        return (id, stream)
    }

    /// Forgets a subscriber.
    func unsubscribe(_ id: Int) {
        let continuation = state.withLock { $0.waiters.removeValue(forKey: id) }
        continuation?.finish()
    }

    /// Wakes one subscriber (its poll timer does this to notice other processes' appends).
    func poke(_ id: Int) {
        let continuation = state.withLock { $0.waiters[id] }
        continuation?.yield()
    }

    /// Wakes every subscriber.
    func notify() {
        let continuations = state.withLock { Array($0.waiters.values) }
        for continuation in continuations { continuation.yield() }
    }

    /// Ends every subscription (the ledger is closing).
    func finishAll() {
        let continuations = state.withLock { state in
            state.finished = true
            let all = Array(state.waiters.values)
            state.waiters.removeAll()
            return all
        }
        for continuation in continuations { continuation.finish() }
    }
}
