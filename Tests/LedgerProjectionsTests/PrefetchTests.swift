import Foundation
@testable import LedgerProjections
import Testing

@Suite("Prefetch")
struct PrefetchTests {
    struct Failure: Error {}

    @Test("the work runs on another thread while the caller goes on; its value or error is collected")
    func value() throws {
        let started = DispatchSemaphore(value: 0)
        let proceed = DispatchSemaphore(value: 0)
        let caller = pthread_self()
        let prefetch = Prefetch { () -> Bool in
            started.signal()
            proceed.wait()
            return pthread_equal(pthread_self(), caller) == 0
        }
        // The work has started and waits for the caller: it cannot run on the caller's thread.
        started.wait()
        proceed.signal()
        #expect(try prefetch.value())
        #expect(throws: Failure.self) { try Prefetch { () throws -> Int in throw Failure() }.value() }
    }
}
