import Foundation

/// Flags of the benchmark program: `--runs N`, `--dir PATH`, `--baseline N`, `--events N`.
struct BenchOptions {
    var runs = 3
    var directory = NSTemporaryDirectory() + "ledger-bench"
    var baseline: Double?
    var events = 1_000_000
    var only: String?

    init<Arguments: Sequence>(_ arguments: Arguments) where Arguments.Element == String {
        var iterator = arguments.makeIterator()
        while let flag = iterator.next() {
            let value = iterator.next() ?? ""
            switch flag {
            case "--runs": runs = Int(value) ?? runs
            case "--dir": directory = value
            case "--baseline": baseline = Double(value)
            case "--events": events = Int(value) ?? events
            case "--only": only = value
            default: FileHandle.standardError.write(Data("ignoring unknown flag \(flag)\n".utf8))
            }
        }
    }
}

/// Prints figures as JSON lines and the machine on stderr.
enum BenchReport {
    static func describeMachine() {
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
        let memory = ProcessInfo.processInfo.physicalMemory >> 30
        FileHandle.standardError.write(Data("machine: \(cpu), \(ProcessInfo.processInfo.activeProcessorCount) cores, \(memory) GiB, \(ProcessInfo.processInfo.operatingSystemVersionString)\n".utf8))
    }

    /// Prints one figure: the median of `values`, with every run.
    static func figure(_ name: String, _ values: [Double], unit: String, baseline: Double? = nil, target: Double? = nil) {
        guard !values.isEmpty else { return }
        let sorted = values.sorted()
        let median = sorted[sorted.count / 2]
        var object: [String: Any] = ["name": name, "value": median.rounded(), "unit": unit, "runs": values.map { $0.rounded() }]
        if let baseline { object["baseline"] = baseline.rounded(); object["ratio"] = (median / baseline * 1000).rounded() / 1000 }
        if let target { object["target"] = target; object["meets_target"] = median >= target }
        if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        }
    }

    /// Seconds taken by `body`.
    static func time(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}
