import Foundation
import LedgerDomain
import Testing

/// Feeds `ledger import --dry-run` hostile and odd files (`FuzzInputs`) through the real
/// executable and holds every run to issue 15's promises: no crash, no hang, memory under a cap,
/// bounded messages, and every row of a well-formed file imported or rejected.
///
/// `swift test` runs a short pass with a fixed seed (a fixed set of inputs); `tools/fuzz` runs
/// a longer one by setting `LEDGER_FUZZ_SECONDS` and `LEDGER_FUZZ_SEED`. A failing input is kept
/// under /tmp/ledger-fuzz-failures, named by seed and case, to be made a regression fixture.
@Suite("ledger import fuzz: hostile files", .serialized)
struct ImportFuzzTests {
    /// The seed of the short pass, or the one `LEDGER_FUZZ_SEED` gives.
    static let seed = ProcessInfo.processInfo.environment["LEDGER_FUZZ_SEED"].flatMap { UInt64($0) } ?? 15
    /// How long a long pass runs; nil for the short pass.
    static let seconds = ProcessInfo.processInfo.environment["LEDGER_FUZZ_SECONDS"].flatMap { Double($0) }
    /// Inputs of each kind in the short pass.
    static let shortPassPerKind = 3
    /// A run taking longer is a hang (a debug build on a loaded 2-core machine reads these
    /// files in a few seconds at most).
    static let timeLimit = 60.0
    /// The most resident memory a run may reach.
    static let memoryLimit = 1 << 30
    /// The address space a run gets, a guard for the machine rather than the test's measure
    /// (jemalloc and thread stacks reserve far more than they use).
    static let addressSpace = 16 << 30
    /// The longest rejection reason expected: the longest message quotes 40 characters of a value
    /// and 40 of a column name.
    static let reasonLimit = 600

    @Test("no crash, no hang, memory under 1 GiB, short messages, every row imported or rejected")
    func fuzz() throws {
        let folder = NSTemporaryDirectory() + "ledger-fuzz-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let kinds = FuzzInputs.Kind.allCases
        let deadline = Self.seconds.map { Date().addingTimeInterval($0) }
        let tally = Tally()
        // Two runs at a time: most of a debug build's second per run is start-up, and each
        // input is made from its own index's seed, so the set is the same whatever the order.
        DispatchQueue.concurrentPerform(iterations: Self.workers) { worker in
            var index = worker
            while deadline.map({ Date() < $0 }) ?? (index < kinds.count * Self.shortPassPerKind) {
                let kind = kinds[index % kinds.count]
                var random = SeededGenerator(seed: Self.seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
                do {
                    let input = try FuzzInputs.make(kind, random: &random)
                    let (outcome, failure) = try Self.check(input, kind: kind, index: index, folder: folder)
                    tally.add(outcome, name: "\(index) \(kind)", failure: failure)
                } catch {
                    tally.add(failure: "case \(index) (\(kind), seed \(Self.seed)): \(error)")
                }
                index += Self.workers
            }
        }
        print("import fuzz: seed \(Self.seed), " + tally.description)
        // Recorded here, on the test's own task: the workers' Dispatch threads are not part of it.
        for failure in tally.failures { Issue.record(Comment(rawValue: failure)) }
    }

    /// Runs at a time.
    static let workers = 2

    /// What the pass ran, for its closing line.
    final class Tally: @unchecked Sendable, CustomStringConvertible {
        private let lock = NSLock()
        private var count = 0
        private var slowest = (seconds: 0.0, name: "")
        private var largest = (bytes: 0, name: "")
        private var failed: [String] = []

        /// What went wrong, one sentence per failing input.
        var failures: [String] { lock.withLock { failed } }

        func add(failure: String) {
            lock.withLock { failed.append(failure) }
        }

        func add(_ outcome: Executables.BoundedOutcome, name: String, failure: String?) {
            lock.withLock {
                count += 1
                if let failure { failed.append(failure) }
                if outcome.seconds > slowest.seconds { slowest = (outcome.seconds, name) }
                if outcome.peakBytes > largest.bytes { largest = (outcome.peakBytes, name) }
            }
        }

        var description: String {
            lock.withLock {
                "\(count) inputs; slowest \(String(format: "%.2f", slowest.seconds)) s (case \(slowest.name)), "
                    + "largest \(largest.bytes >> 20) MiB (case \(largest.name))"
            }
        }
    }

    /// Runs the import of `input` and checks its outcome; returns it for the pass's figures, and
    /// what is wrong with it, if anything.
    static func check(_ input: FuzzInput, kind: FuzzInputs.Kind, index: Int, folder: String) throws -> (Executables.BoundedOutcome, String?) {
        let caseFolder = folder + "/\(index)"
        try FileManager.default.createDirectory(atPath: caseFolder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: caseFolder) }
        let file = caseFolder + "/" + input.name
        try input.bytes.write(to: URL(fileURLWithPath: file))
        let arguments = ["import", file, "--store", caseFolder + "/store", "--dry-run", "--json"] + input.arguments
        let outcome = try Executables.runBounded(
            "ledger", arguments, seconds: timeLimit, addressSpace: addressSpace, folder: caseFolder)
        let problems = Self.problems(of: outcome, input: input)
        guard !problems.isEmpty else { return (outcome, nil) }
        let kept = keep(input, index: index)
        let stderr = String(decoding: outcome.stderr.prefix(2_000), as: UTF8.self)
        let summary = problems.joined(separator: "; ")
        return (outcome, "case \(index) (\(kind), seed \(seed)), kept as \(kept): \(summary)\n\(stderr)")
    }

    /// What is wrong with how the import of `input` ended; empty when nothing is.
    static func problems(of outcome: Executables.BoundedOutcome, input: FuzzInput) -> [String] {
        var problems: [String] = []
        if outcome.timedOut { problems.append("still running after \(timeLimit) s") }
        if let signal = outcome.signal, !outcome.timedOut { problems.append("died from signal \(signal)") }
        if outcome.peakBytes > memoryLimit { problems.append("peak memory \(outcome.peakBytes >> 20) MiB") }
        if outcome.stderr.count > 64 * 1024 { problems.append("\(outcome.stderr.count) bytes on stderr") }
        guard outcome.signal == nil else { return problems }
        let summary = (try? JSONSerialization.jsonObject(with: outcome.stdout)) as? [String: Any]
        guard let summary else {
            if input.dataRows != nil { problems.append("a well-formed file was refused (exit \(outcome.status ?? -1))") }
            if outcome.status == 0 { problems.append("exit 0 without a summary") }
            if outcome.stderr.isEmpty { problems.append("refused without a message") }
            return problems
        }
        let count = { (key: String) in summary[key] as? Int ?? -1 }
        let rows = count("rows")
        let accounted = count("created") + count("updated") + count("unchanged") + count("rejected")
        if accounted != rows { problems.append("\(rows) rows read but \(accounted) imported or rejected") }
        if let expected = input.dataRows, rows != expected { problems.append("\(rows) rows read of \(expected) written") }
        let reasons = (summary["rejections"] as? [[String: Any]] ?? []).compactMap { $0["reason"] as? String }
        if let long = reasons.first(where: { $0.count > reasonLimit }) {
            problems.append("a rejection reason of \(long.count) characters")
        }
        return problems
    }

    /// Copies a failing input where it outlives the test, and returns its path.
    static func keep(_ input: FuzzInput, index: Int) -> String {
        let folder = NSTemporaryDirectory() + "ledger-fuzz-failures"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/seed-\(seed)-case-\(index)-" + input.name
        try? input.bytes.write(to: URL(fileURLWithPath: path))
        return path
    }
}
