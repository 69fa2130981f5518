import Dispatch
import Foundation
import Synchronization

/// The single writer thread of a ledger: it takes every append waiting, writes them in one
/// LMDB transaction and commits once, so concurrent writers share one fsync.
///
/// LMDB write transactions belong to the thread that began them, so they cannot live in
/// Swift tasks that may hop threads; callers hand their requests over and wait.
final class GroupCommitter: Sendable {
    /// One caller's requests and how to tell the caller the outcome.
    struct Job: Sendable {
        let batch: EncodedBatch
        let complete: @Sendable (Result<[AppendResult], any Error>) -> Void
    }

    private struct State {
        var jobs: [Job] = []
        var commits = 0
        var committedJobs = 0
        var stopped = false
        var running = false
    }

    private let state = Mutex(State())
    private let wakeup = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    /// Starts the writer thread, which commits through `writer`.
    func start(writer: AppendWriter) {
        state.withLock { $0.running = true }
        let thread = Thread { [self] in run(writer) }
        thread.name = "ledger-writer"
        thread.start()
    }

    /// Queues a job; it completes on the writer thread after its transaction commits.
    func submit(_ job: Job) {
        let accepted = state.withLock { state in
            guard !state.stopped else { return false }
            state.jobs.append(job)
            return true
        }
        if accepted {
            wakeup.signal()
        } else {
            job.complete(.failure(LedgerError(.closed, "the ledger is closed")))
        }
    }

    /// How many transactions the writer committed, and how many jobs they carried.
    var statistics: (commits: Int, jobs: Int) {
        state.withLock { ($0.commits, $0.committedJobs) }
    }

    /// Finishes the queued jobs, then stops the thread; waits for it.
    func stop() {
        let wasRunning = state.withLock { state in
            guard !state.stopped else { return false }
            state.stopped = true
            return state.running
        }
        guard wasRunning else { return }
        wakeup.signal()
        finished.wait()
    }

    /// Takes every queued job (the writer calls this while its transaction is still open).
    private func takeQueued() -> [Job] {
        state.withLock { state in
            let jobs = state.jobs
            state.jobs.removeAll(keepingCapacity: true)
            return jobs
        }
    }

    private func run(_ writer: AppendWriter) {
        var upcoming: PreparedGroup?
        while true {
            let jobs: [Job]
            let prepared: PreparedGroup?
            if let next = upcoming {
                jobs = next.jobs
                prepared = next
                upcoming = nil
            } else {
                wakeup.wait()
                jobs = takeQueued()
                prepared = nil
            }
            let stopped = state.withLock { $0.stopped }
            if !jobs.isEmpty {
                // Counted before the jobs are told, so a caller that reads the statistics after
                // its append returns sees its own transaction.
                upcoming = writer.commit(jobs, prepared: prepared, takeQueued: takeQueued) { count in
                    self.state.withLock { state in
                        state.commits += 1
                        state.committedJobs += count
                    }
                }
            }
            if stopped && upcoming == nil && state.withLock({ $0.jobs.isEmpty }) {
                finished.signal()
                return
            }
        }
    }
}
