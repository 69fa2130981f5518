import Dispatch
import Foundation
import LedgerDomain
import LedgerStore
import Synchronization

/// Contact states folded from a log grouped by stream, run by run, by one worker per core:
/// what a rebuild writes and what `verify --projections` compares.
///
/// A run is `runStreams` consecutive streams. Workers take runs in ascending order; each
/// folds a contact from its first event to its last, hands the state to `add` (which keeps
/// what the caller needs of it in the run's `Output`) and drops it, and gathers the
/// identifiers of every contact neither erased nor merged away into its own sorted index
/// entries. The caller takes the runs in order with `run(_:)`. Runs are taken in ascending
/// order, so every run before a failed one is finished by someone: the caller meets a
/// worker's error in its turn.
final class StreamFold<Output: Sendable>: Sendable {
    /// One worker per core, at most four.
    static var defaultWorkers: Int { max(1, min(ProcessInfo.processInfo.activeProcessorCount, 4)) }
    /// Streams per run: large enough that handing out work costs nothing, small enough that
    /// the caller starts early and the workers finish together.
    static var runStreams: Int { 8_192 }

    /// What one run folded.
    struct Run: Sendable {
        var output: Output
        /// Field definitions met, with their positions.
        var definitions: [(position: UInt64, definition: FieldDefined, stream: StreamID)] = []
    }

    /// How many runs the log makes.
    let runs: Int
    let workers: Int
    private let log: StreamGroupedLog
    private let make: @Sendable (_ streams: Int) -> Output
    private let add: @Sendable (inout Output, ContactState) -> Void
    /// When set, at most this many runs are folded ahead of the last one taken (a reader that
    /// drops runs after use keeps memory bounded); nil: no bound (a writer that may need to
    /// write every run again keeps them all anyway).
    private let tokens: DispatchSemaphore?
    private let next = Atomic<Int>(0)
    private let stopped = Atomic<Bool>(false)
    private let folded = Atomic<Int>(0)
    private let done: [DispatchSemaphore]
    private let results = Mutex<[Int: Result<Run, any Error>]>([:])
    private let index = Mutex<[Int: [IdentifierIndexEntries]]>([:])
    private let group = DispatchGroup()

    /// Starts the workers at once.
    init(
        _ log: StreamGroupedLog,
        workers: Int = StreamFold.defaultWorkers,
        ahead: Int? = nil,
        make: @escaping @Sendable (_ streams: Int) -> Output,
        add: @escaping @Sendable (inout Output, ContactState) -> Void
    ) {
        self.log = log
        runs = (log.streamCount + Self.runStreams - 1) / Self.runStreams
        self.workers = max(1, workers)
        self.make = make
        self.add = add
        tokens = ahead.map { DispatchSemaphore(value: max(1, $0)) }
        done = (0..<runs).map { _ in DispatchSemaphore(value: 0) }
        for worker in 0..<self.workers {
            group.enter()
            DispatchQueue.global(qos: .userInitiated).async { [self] in
                defer { group.leave() }
                work(worker: worker)
            }
        }
    }

    /// Events folded so far, for progress.
    var eventsFolded: Int { folded.load(ordering: .relaxed) }

    /// The finished run `run`, waiting for it (calling `waiting` every half second); with
    /// `take`, the run is dropped here and a worker may fold one more ahead.
    func run(_ run: Int, take: Bool = false, waiting: () -> Void = {}) throws -> Run {
        while true {
            let outcome = results.withLock { results in take ? results.removeValue(forKey: run) : results[run] }
            if let outcome {
                if take { tokens?.signal() }
                return try outcome.get()
            }
            if done[run].wait(timeout: .now() + .milliseconds(500)) == .timedOut { waiting() }
        }
    }

    /// Waits for every worker, then gives each one's sorted index entries (e-mail, phone,
    /// external id).
    func indexParts() -> [[IdentifierIndexEntries]] {
        group.wait()
        return index.withLock { parts in (0..<workers).compactMap { parts[$0] } }
    }

    /// Stops the workers after their current run and waits for them: they read the log's
    /// snapshot, which must outlive them.
    func stop() {
        stopped.store(true, ordering: .relaxed)
        for _ in 0..<workers { tokens?.signal() }
        group.wait()
    }

    private func work(worker: Int) {
        var entries = [IdentifierIndexEntries](repeating: IdentifierIndexEntries(), count: 3)
        // Sized for this worker's share of the contacts, with room for an uneven share: grown
        // by doubling instead, the lists were copied a dozen times into fresh memory, whose
        // first touch (the kernel zeroing each page) cost more than the copies. Capacity never
        // written is never touched, so it costs no memory.
        let share = log.streamCount / workers + log.streamCount / (4 * workers) + Self.runStreams
        for kind in [IdentifierKind.email, .phone] { entries[kind.slot].reserveCapacity(share) }
        let reader = StreamGroupedLog.Reader()
        while !stopped.load(ordering: .relaxed) {
            tokens?.wait()
            guard !stopped.load(ordering: .relaxed) else { break }
            let run = next.wrappingAdd(1, ordering: .relaxed).oldValue
            guard run < runs else {
                tokens?.signal()
                break
            }
            let outcome = Result { try fold(run, reader: reader, entries: &entries) }
            if case .failure = outcome { stopped.store(true, ordering: .relaxed) }
            results.withLock { $0[run] = outcome }
            done[run].signal()
        }
        for kind in entries.indices {
            entries[kind].sort()
            entries[kind].compact()
        }
        index.withLock { [entries] in $0[worker] = entries }
    }

    private func fold(_ run: Int, reader: StreamGroupedLog.Reader, entries: inout [IdentifierIndexEntries]) throws -> Run {
        let first = run * Self.runStreams
        let end = min(first + Self.runStreams, log.streamCount)
        var out = Run(output: make(end - first))
        var events = 0
        for streamIndex in first..<end {
            // The next stream's records are on their way while this one is folded.
            if streamIndex + 1 < end { log.prefetch(streamAt: streamIndex + 1) }
            var state: ContactState?
            try log.forEachEvent(ofStreamAt: streamIndex, reader: reader) { event, personal in
                guard let domain = try ContactProjection.decode(event, personal: personal) else { return }
                if case .fieldDefined(let definition) = domain {
                    out.definitions.append((event.position, definition, event.stream))
                    return
                }
                ContactState.fold(into: &state, domain, meta: EventMeta(event))
            }
            events += log.eventCount(ofStreamAt: streamIndex)
            guard let state else { continue }
            if !state.erased && state.mergedInto == nil {
                for identifier in state.emails { entries[0].append(identifier, state.id) }
                for identifier in state.phones { entries[1].append(identifier, state.id) }
                for identifier in state.externalIds { entries[2].append(identifier, state.id) }
            }
            add(&out.output, state)
        }
        folded.add(events, ordering: .relaxed)
        return out
    }
}
