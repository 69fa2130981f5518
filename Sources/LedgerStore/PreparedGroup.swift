import Dispatch
import LedgerDomain
import Synchronization

/// Jobs whose stored records were computed while the previous transaction was committing.
///
/// A commit spends most of its time in write-back and fsync, with the CPU idle. When the jobs
/// waiting behind it only create new streams (a bulk import), everything about their records is
/// predictable: positions, stream numbers and versions continue from the committing
/// transaction, and the chain continues from its last hash. So the records are built and hashed
/// then, on another thread. The next transaction checks the prediction against the store; if
/// anything differs (another process appended, an id was already recorded) it discards the
/// prepared records and takes the ordinary path. Speculation never decides what is stored.
final class PreparedGroup: Sendable {
    /// What the records were computed from.
    struct Prediction: Sendable, Equatable {
        let lastPosition: UInt64
        let chainHash: [UInt8]
        let nextStream: UInt64
    }

    /// The records, end to end, in job, request and event order, and where each starts.
    struct Records: Sendable {
        let bytes: [UInt8]
        let offsets: [Int]
        let recordedAt: Int64
        let lastHash: [UInt8]
    }

    let jobs: [GroupCommitter.Job]
    let prediction: Prediction?
    private let records = Mutex<Records?>(nil)
    private let done = DispatchGroup()

    /// Jobs taken without preparation (some request targets an existing stream).
    init(unprepared jobs: [GroupCommitter.Job]) {
        self.jobs = jobs
        prediction = nil
    }

    /// Starts preparing `jobs` on another thread from `prediction`.
    init(jobs: [GroupCommitter.Job], prediction: Prediction, recordedAt: Int64) {
        self.jobs = jobs
        self.prediction = prediction
        done.enter()
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            records.withLock { $0 = Self.build(jobs: jobs, prediction: prediction, recordedAt: recordedAt) }
            done.leave()
        }
    }

    /// Whether every request of `jobs` creates a new stream (the only case worth predicting).
    static func isPredictable(_ jobs: [GroupCommitter.Job]) -> Bool {
        jobs.allSatisfy { job in
            job.batch.requests.allSatisfy { request in
                request.target == .new && (request.expected == .any || request.expected == .noStream || request.expected == .exact(0))
            }
        }
    }

    /// The prepared records, waiting for them if still being built.
    func preparedRecords() -> Records? {
        done.wait()
        return records.withLock { $0 }
    }

    private static func build(jobs: [GroupCommitter.Job], prediction: Prediction, recordedAt: Int64) -> Records {
        let eventCount = jobs.reduce(0) { $0 + $1.batch.offsets.count - 1 }
        let total = jobs.reduce(0) { $0 + $1.batch.bytes.count } + EventRecord.hashLength * eventCount
        var offsets = [Int]()
        offsets.reserveCapacity(eventCount + 1)
        var scratch = RecordScratch(chainHash: prediction.chainHash)
        var stream = prediction.nextStream
        // Each record is written once, in place: the body copied in, its blank fields filled,
        // and its chain hash appended by the same code the writer uses.
        let bytes = [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
            let output = UnsafeMutableRawBufferPointer(buffer)
            var end = 0
            for job in jobs {
                let batch = job.batch
                batch.bytes.withUnsafeBytes { bodies in
                    for request in batch.requests {
                        var version: UInt64 = 0
                        for index in request.events {
                            version += 1
                            let body = UnsafeRawBufferPointer(rebasing: bodies[batch.offsets[index]..<batch.offsets[index + 1]])
                            offsets.append(end)
                            let destination = UnsafeMutableRawBufferPointer(rebasing: output[end..<(end + body.count + EventRecord.hashLength)])
                            scratch.chain(body: body, stream: stream, version: version, recordedAt: recordedAt, into: destination)
                            end += body.count + EventRecord.hashLength
                        }
                        stream += 1
                    }
                }
            }
            initialized = end
        }
        offsets.append(bytes.count)
        return Records(bytes: bytes, offsets: offsets, recordedAt: recordedAt, lastHash: scratch.chainHash)
    }
}
