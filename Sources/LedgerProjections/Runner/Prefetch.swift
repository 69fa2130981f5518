import Foundation
import Synchronization

/// Work started on a thread of its own now, whose result is collected later (once).
///
/// For a runner that prepares the next batch while it writes the current one. The work gets
/// its own thread rather than a global queue: the caller blocks in `value()`, possibly on
/// one of the few threads that run Swift tasks, so the work must not wait for one of them.
final class Prefetch<Value: Sendable>: Sendable {
    private let result = Mutex<Result<Value, any Error>?>(nil)
    private let done = DispatchSemaphore(value: 0)

    /// Starts `work` on a new thread.
    init(_ work: @escaping @Sendable () throws -> Value) {
        let thread = Thread { [self] in
            let outcome = Result { try work() }
            result.withLock { $0 = outcome }
            done.signal()
        }
        thread.qualityOfService = .userInitiated
        thread.start()
    }

    /// Waits for the work and returns its value or rethrows its error; call it once.
    func value() throws -> Value {
        done.wait()
        guard let outcome = result.withLock({ $0 }) else { throw CancellationError() }
        return try outcome.get()
    }
}
