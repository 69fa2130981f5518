import Foundation

/// Flags of the benchmark program: `--runs N`, `--dir PATH`, `--baseline N`, `--events N`,
/// `--only PART`, `--batch N`, `--seconds N`, `--rate N`, `--follow-batch N`, `--xlsx-rows N`,
/// `--consent confirmed|subscribed|none`.
struct BenchOptions {
    var runs = 3
    var directory = NSTemporaryDirectory() + "ledger-bench"
    var baseline: Double?
    /// `--events` as given; each suite has its own default.
    var eventsFlag: Int?
    var only: String?
    /// Requests per append batch where a suite lets it vary (contacts: the lag writer).
    var batch: Int?
    /// How long a sustained-load part runs (contacts: the lag writer).
    var seconds: Double?
    /// Events per second a sustained-load writer keeps to; nil: as fast as it can.
    var rate: Double?
    /// Events per projection transaction of a following runner; nil: the runner's default.
    var followBatch: Int?
    /// Rows of the import suite's .xlsx workbook (0 skips that part); nil: its default.
    var xlsxRows: Int?
    /// The import suite's `ledger import --consent`; nil: the import's default (confirmed).
    var consent: String?

    /// Events of the core suite.
    var events: Int { eventsFlag ?? 1_000_000 }

    init<Arguments: Sequence>(_ arguments: Arguments) where Arguments.Element == String {
        var iterator = arguments.makeIterator()
        while let flag = iterator.next() {
            let value = iterator.next() ?? ""
            switch flag {
            case "--runs": runs = Int(value) ?? runs
            case "--dir": directory = value
            case "--baseline": baseline = Double(value)
            case "--events": eventsFlag = Int(value) ?? eventsFlag
            case "--only": only = value
            case "--batch": batch = Int(value) ?? batch
            case "--seconds": seconds = Double(value) ?? seconds
            case "--rate": rate = Double(value) ?? rate
            case "--follow-batch": followBatch = Int(value) ?? followBatch
            case "--xlsx-rows": xlsxRows = Int(value) ?? xlsxRows
            case "--consent": consent = value
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

    /// Prints one figure: the median of `values`, with every run. A target is a floor, or a
    /// ceiling when `lowerIsBetter` (latencies); `decimals` keeps small values readable.
    static func figure(_ name: String, _ values: [Double], unit: String, baseline: Double? = nil, target: Double? = nil, lowerIsBetter: Bool = false, decimals: Int = 0) {
        guard !values.isEmpty else { return }
        let median = percentile(values, 0.5)
        let scale = pow(10, Double(decimals))
        let round = { (value: Double) in (value * scale).rounded() / scale }
        var object: [String: Any] = ["name": name, "value": round(median), "unit": unit, "runs": values.map(round)]
        if let baseline { object["baseline"] = baseline.rounded(); object["ratio"] = (median / baseline * 1000).rounded() / 1000 }
        if let target { object["target"] = target; object["meets_target"] = lowerIsBetter ? median < target : median >= target }
        if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        }
    }

    /// The value at quantile `fraction` (0.5: the median, 0.99: p99) of unsorted `values`.
    static func percentile(_ values: [Double], _ fraction: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
    }

    /// Seconds taken by `body`.
    static func time(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}
