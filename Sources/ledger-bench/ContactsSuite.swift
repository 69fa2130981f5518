import Foundation
import LedgerDomain
import LedgerProjections
import LedgerStore
import Synchronization

/// The contacts suite (issue 3): a full rebuild of the contact projection, lookups by e-mail
/// and by id, and how far the followed projection lags behind sustained appends.
///
/// `--only rebuild|lookup|lag|upsert` runs one part (`upsert`: single durable upserts, see
/// `upsertLatency`). `--events N` sizes the rebuild ledger (default
/// 10,000,000 events, 4 per contact) and caps the lookup ledger at N / 4 contacts (default
/// 1,000,000 contacts). The lag writer appends `--batch` single-contact updates per durable
/// append (default 100) for `--seconds` (default 5), back to back or, with `--rate N`, paced
/// to N events per second; `--follow-batch N` sets the following runner's batch size.
/// `--only catchup` (not in the default set) appends `--seconds` of the same updates with no
/// follower, then times the runner's catch-up over them: the follower's rate alone.
struct ContactsSuite {
    let options: BenchOptions

    /// Runs the parts asked for. A projection that reads back wrong still gets its figures
    /// printed, then fails the run (exit status 1).
    func run() throws {
        let parts = options.only.map { [$0] } ?? ["rebuild", "lookup", "lag", "upsert"]
        var problems = [String]()
        if parts.contains("rebuild") { problems += try rebuild() }
        if parts.contains("lookup") || parts.contains("lag") || parts.contains("catchup") { problems += try lookupAndLag(parts) }
        if parts.contains("upsert") { try upsertLatency() }
        if !problems.isEmpty {
            Self.note("FAILED: the projection reads back wrong in \(problems.count) checks (above)")
            exit(1)
        }
    }

    // MARK: contacts.rebuild

    /// `ProjectionRunner.rebuild()` over one ledger, once per run; the ledger is built once and
    /// its pages are in the page cache (a warm rebuild, as after an upgrade on a live server).
    private func rebuild() throws -> [String] {
        let contacts = (options.eventsFlag ?? 10_000_000) / 4
        let directory = options.directory + "-contacts-rebuild"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ledger = try SyntheticContacts.buildLedger(directory: directory, contacts: contacts)
        defer { ledger.close() }
        let runner = ProjectionRunner(ledger: ledger, projection: ContactProjection(ledger: ledger))
        var rates = [Double]()
        for run in 0..<options.runs {
            var last: UInt64 = 0
            let cpuBefore = Self.processCPUSeconds()
            let seconds = try BenchReport.time { last = try runner.rebuild() }
            let cpu = Self.processCPUSeconds() - cpuBefore
            guard last == UInt64(contacts * 4) else {
                throw BenchFailure("rebuild stopped at position \(last) of \(contacts * 4)")
            }
            rates.append(Double(last) / seconds)
            Self.note("rebuild run \(run + 1): \(last) events in \(Self.milliseconds(seconds)) ms (\(Self.format(cpu)) s of CPU), peak RSS \(Self.peakResidentMiB()) MiB")
        }
        let store = try runner.openStore()
        defer { store.close() }
        let problems = try Self.check(ContactDirectory(store: store), contacts: contacts)
        BenchReport.figure("contacts.rebuild", rates, unit: "events/s", target: 1_000_000)
        return problems
    }

    // MARK: contacts.lookup and contacts.projection.lag

    /// Both parts use one ledger of up to 1,000,000 contacts and its rebuilt projection.
    private func lookupAndLag(_ parts: [String]) throws -> [String] {
        let contacts = min(1_000_000, (options.eventsFlag ?? 4_000_000) / 4)
        let directory = options.directory + "-contacts-lookup"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ledger = try SyntheticContacts.buildLedger(directory: directory, contacts: contacts)
        defer { ledger.close() }
        let runner = options.followBatch.map { ProjectionRunner(ledger: ledger, projection: ContactProjection(ledger: ledger), batchSize: $0) }
            ?? ProjectionRunner(ledger: ledger, projection: ContactProjection(ledger: ledger))
        try runner.rebuild()
        let store = try runner.openStore()
        defer { store.close() }
        let contactDirectory = ContactDirectory(store: store)
        let problems = try Self.check(contactDirectory, contacts: contacts)

        if parts.contains("lookup") {
            var byEmail = [LatencySummary]()
            var byID = [LatencySummary]()
            for run in 0..<options.runs {
                let (email, id) = try Self.lookups(contactDirectory, contacts: contacts, count: 100_000)
                byEmail.append(email)
                byID.append(id)
                Self.note("lookup run \(run + 1): find(.email) median \(Self.format(email.median)) µs p99 \(Self.format(email.p99)) µs; contact(id) median \(Self.format(id.median)) µs p99 \(Self.format(id.p99)) µs")
            }
            BenchReport.figure("contacts.lookup.email.median", byEmail.map(\.median), unit: "µs", target: 1_000, lowerIsBetter: true, decimals: 1)
            BenchReport.figure("contacts.lookup.email.p99", byEmail.map(\.p99), unit: "µs", decimals: 1)
            BenchReport.figure("contacts.lookup.contact.median", byID.map(\.median), unit: "µs", decimals: 1)
            BenchReport.figure("contacts.lookup.contact.p99", byID.map(\.p99), unit: "µs", decimals: 1)
        }

        if parts.contains("lag") {
            var lags = [LatencySummary]()
            var rates = [Double]()
            for run in 0..<options.runs {
                let (summary, rate) = try lag(ledger: ledger, runner: runner, store: store, contacts: contacts)
                lags.append(summary)
                rates.append(rate)
                Self.note("lag run \(run + 1): \(Int(rate)) events/s appended; lag median \(Self.format(summary.median)) ms p99 \(Self.format(summary.p99)) ms max \(Self.format(summary.max)) ms over \(summary.count) commits")
            }
            BenchReport.figure("contacts.projection.lag.median", lags.map(\.median), unit: "ms", target: 100, lowerIsBetter: true, decimals: 1)
            BenchReport.figure("contacts.projection.lag.p99", lags.map(\.p99), unit: "ms", target: 100, lowerIsBetter: true, decimals: 1)
            BenchReport.figure("contacts.projection.lag.appends", rates, unit: "events/s")
        }

        if parts.contains("catchup") {
            var rates = [Double]()
            for run in 0..<options.runs {
                let (events, seconds, cpu) = try catchUp(ledger: ledger, runner: runner, store: store, contacts: contacts)
                rates.append(Double(events) / seconds)
                Self.note("catch-up run \(run + 1): \(events) events in \(Self.milliseconds(seconds)) ms, \(Self.milliseconds(cpu)) ms of CPU (\(Self.format(cpu / Double(max(events, 1)) * 1e6)) µs an event)")
            }
            BenchReport.figure("contacts.projection.catchup", rates, unit: "events/s")
        }
        return problems
    }

    /// Times `count` lookups of random known e-mail addresses, then `count` reads by id, one
    /// clock reading around each call; answers are checked after the clock stops.
    private static func lookups(_ directory: ContactDirectory, contacts: Int, count: Int) throws -> (email: LatencySummary, id: LatencySummary) {
        var generator = SystemRandomNumberGenerator()
        let picks = (0..<count).map { _ in Int.random(in: 0..<contacts, using: &generator) }
        let emails = picks.map(SyntheticContacts.email)
        var emailTimes = [Double]()
        emailTimes.reserveCapacity(count)
        var found = [StreamID?]()
        found.reserveCapacity(count)
        for email in emails {
            let start = DispatchTime.now().uptimeNanoseconds
            let stream = try directory.find(.email, email)
            emailTimes.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e3)
            found.append(stream)
        }
        var idTimes = [Double]()
        idTimes.reserveCapacity(count)
        var wrong = 0
        for (index, pick) in picks.enumerated() {
            let start = DispatchTime.now().uptimeNanoseconds
            let state = try directory.contact(SyntheticContacts.stream(pick))
            idTimes.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e3)
            if found[index] != SyntheticContacts.stream(pick) || state?.email != emails[index] { wrong += 1 }
        }
        guard wrong == 0 else { throw BenchFailure("\(wrong) of \(count) lookups gave the wrong contact") }
        return (LatencySummary(emailTimes), LatencySummary(idTimes))
    }

    /// One lag run: `follow(store:)` in a task while this thread appends batches of updates to
    /// random contacts, each batch durably, back to back (or paced by `--rate`), for
    /// `--seconds`. A sampler thread notes when the checkpoint moves; a commit's lag is the
    /// first sample at or past its last position minus the moment `append` returned (so lags
    /// are exact to about the sampling interval, 0.2 ms, and never over-stated by the writer's
    /// wake-up).
    private func lag(ledger: Ledger, runner: ProjectionRunner<ContactProjection>, store: ProjectionStore, contacts: Int) throws -> (LatencySummary, Double) {
        let batchSize = max(options.batch ?? 100, 1)
        let duration = options.seconds ?? 5
        try runner.catchUp(store: store)
        let sampler = CheckpointSampler(directory: ContactDirectory(store: store))
        sampler.start()
        let followed = DispatchSemaphore(value: 0)
        let follower = Task {
            defer { followed.signal() }
            do {
                try await runner.follow(store: store)
            } catch {
                Self.note("follow stopped: \(error)")
            }
        }

        var commits = [(position: UInt64, at: UInt64)]()
        let keys = ledger.keyRing(capacity: contacts)
        var generator = SystemRandomNumberGenerator()
        var sequence = 0
        let start = DispatchTime.now().uptimeNanoseconds
        let end = start + UInt64(duration * 1e9)
        while DispatchTime.now().uptimeNanoseconds < end {
            if let rate = options.rate {
                // Batch k is due k * batch / rate seconds after the start.
                let due = start + UInt64(Double(sequence) / rate * 1e9)
                let now = DispatchTime.now().uptimeNanoseconds
                if due > now { usleep(UInt32((due - now) / 1000)) }
            }
            let requests = try Self.randomUpdates(batchSize, of: contacts, keys: keys, sequence: &sequence, generator: &generator)
            let results = try ledger.append(requests)
            let at = DispatchTime.now().uptimeNanoseconds
            guard let position = results.last?.positions.last else { throw BenchFailure("an append returned no position") }
            commits.append((position, at))
        }
        let rate = Double(sequence) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)

        // Let the projection reach the last commit (or give up after a minute), then stop it.
        let last = commits.last?.position ?? 0
        let giveUp = DispatchTime.now().uptimeNanoseconds + 60_000_000_000
        while sampler.latest < last, DispatchTime.now().uptimeNanoseconds < giveUp { usleep(1000) }
        let samples = sampler.stop()
        follower.cancel()
        followed.wait()

        var lags = [Double]()
        lags.reserveCapacity(commits.count)
        var next = 0
        var unreached = 0
        for commit in commits {
            while next < samples.count, samples[next].checkpoint < commit.position { next += 1 }
            if next < samples.count {
                lags.append(Double(samples[next].time > commit.at ? samples[next].time - commit.at : 0) / 1e6)
            } else {
                // Never applied within the minute: count the whole wait, a lower bound.
                unreached += 1
                lags.append(Double(giveUp - commit.at) / 1e6)
            }
        }
        if unreached > 0 { Self.note("lag: \(unreached) commits were not applied within a minute of the writer stopping") }
        return (LatencySummary(lags), rate)
    }

    /// `count` one-field updates of random contacts, each sealed as the contact book seals it,
    /// under the contact's key; `sequence` numbers them.
    private static func randomUpdates(_ count: Int, of contacts: Int, keys: KeyRing, sequence: inout Int, generator: inout SystemRandomNumberGenerator) throws -> [AppendRequest] {
        var requests = [AppendRequest]()
        requests.reserveCapacity(count)
        for _ in 0..<count {
            let contact = Int.random(in: 0..<contacts, using: &generator)
            let stream = SyntheticContacts.stream(contact)
            guard let key = try keys.key(for: stream) else { throw BenchFailure("contact \(contact) has no data key") }
            requests.append(AppendRequest(target: .existing(stream), events: try SyntheticContacts.seal([SyntheticContacts.update(contact, sequence: sequence)], with: key)))
            sequence += 1
        }
        return requests
    }

    /// One catch-up run: appends updates as the lag writer does, with no follower, then times
    /// `catchUp` over them. Returns the events applied, the seconds taken and the CPU seconds
    /// the process spent meanwhile (user and system, every thread: nothing else runs then).
    private func catchUp(ledger: Ledger, runner: ProjectionRunner<ContactProjection>, store: ProjectionStore, contacts: Int) throws -> (Int, Double, Double) {
        let batchSize = max(options.batch ?? 100, 1)
        let first = try runner.catchUp(store: store)
        let keys = ledger.keyRing(capacity: contacts)
        var generator = SystemRandomNumberGenerator()
        var sequence = 0
        let end = DispatchTime.now().uptimeNanoseconds + UInt64((options.seconds ?? 5) * 1e9)
        while DispatchTime.now().uptimeNanoseconds < end {
            _ = try ledger.append(try Self.randomUpdates(batchSize, of: contacts, keys: keys, sequence: &sequence, generator: &generator))
        }
        sync()
        let cpuBefore = Self.processCPUSeconds()
        let start = DispatchTime.now().uptimeNanoseconds
        let last = try runner.catchUp(store: store)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return (Int(last - first), seconds, Self.processCPUSeconds() - cpuBefore)
    }

    // MARK: helpers

    /// What is wrong with the projection: whether it holds every contact once, and whether
    /// sample identifiers name exactly their contact. Each problem also goes to stderr.
    private static func check(_ directory: ContactDirectory, contacts: Int) throws -> [String] {
        var problems = [String]()
        let table = try ContactTables(directory.store).contacts
        let stored = try directory.store.read { try $0.count(table) }
        if stored != contacts { problems.append("the projection holds \(stored) contacts, not \(contacts)") }
        for contact in Set([0, contacts / 3, contacts / 2, contacts - 1]).sorted() {
            let stream = SyntheticContacts.stream(contact)
            let byEmail = try directory.holders(.email, SyntheticContacts.email(contact))
            let byPhone = try directory.holders(.phone, SyntheticContacts.phone(contact))
            if byEmail != [stream] || byPhone != [stream] {
                problems.append("contact \(contact): the e-mail index holds \(byEmail), the phone index \(byPhone), expected [\(stream)]")
            }
            let state = try directory.contact(stream)
            if state?.email != SyntheticContacts.email(contact) || state?.lastName != SyntheticContacts.lastName(contact) {
                problems.append("contact \(contact) does not read back as written")
            }
        }
        for problem in problems { note("check failed: " + problem) }
        return problems
    }

    static func note(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    private static func milliseconds(_ seconds: Double) -> Int { Int(seconds * 1000) }

    /// One decimal, for stderr notes.
    static func format(_ value: Double) -> String { String(format: "%.1f", value) }

    /// User and system CPU time of the whole process so far.
    private static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    private static func peakResidentMiB() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss / 1024
    }
}

/// Median, p99 and maximum of a set of latencies, in the unit they were measured in.
struct LatencySummary {
    let median: Double
    let p99: Double
    let max: Double
    let count: Int

    init(_ values: [Double]) {
        let sorted = values.sorted()
        count = sorted.count
        median = BenchReport.percentile(sorted, 0.5)
        p99 = BenchReport.percentile(sorted, 0.99)
        max = sorted.last ?? .nan
    }
}

/// A benchmark that cannot give a meaningful figure.
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Notes when a projection's checkpoint moves, from its own thread, every ~0.2 ms.
final class CheckpointSampler: Sendable {
    /// When the checkpoint was first seen at a value (uptime nanoseconds).
    struct Sample: Sendable {
        let time: UInt64
        let checkpoint: UInt64
    }

    private let directory: ContactDirectory
    private let samples = Mutex<[Sample]>([])
    private let newest = Atomic<UInt64>(0)
    private let stopping = Atomic<Bool>(false)
    private let stopped = DispatchSemaphore(value: 0)

    init(directory: ContactDirectory) {
        self.directory = directory
    }

    /// The newest checkpoint seen.
    var latest: UInt64 { newest.load(ordering: .acquiring) }

    func start() {
        Thread { [self] in
            var seen = [Sample]()
            seen.reserveCapacity(100_000)
            var last = UInt64.max
            while !stopping.load(ordering: .acquiring) {
                if let checkpoint = try? directory.checkpoint(), checkpoint != last {
                    seen.append(Sample(time: DispatchTime.now().uptimeNanoseconds, checkpoint: checkpoint))
                    newest.store(checkpoint, ordering: .releasing)
                    last = checkpoint
                }
                usleep(200)
            }
            samples.withLock { $0 = seen }
            stopped.signal()
        }.start()
    }

    /// Stops sampling and returns the samples, oldest first.
    func stop() -> [Sample] {
        stopping.store(true, ordering: .releasing)
        stopped.wait()
        return samples.withLock { $0 }
    }
}
