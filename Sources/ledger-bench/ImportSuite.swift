import Foundation

/// The import suite: a generated ~300 MB contact base imported end to end by the release
/// `ledger` binary (wall time and peak memory of the process), the Python peer on the same
/// file, and a re-import of the same file.
struct ImportSuite {
    let options: BenchOptions

    /// Writes `rows` contacts (7 columns, phones in mixed local and international forms).
    static func generate(_ path: String, rows: Int) throws -> Int64 {
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let firstNames = ["Олена", "Іван", "Марія", "Андрій", "Софія", "Тарас", "Oksana", "Dmytro", "Kateryna", "Yurii"]
        let lastNames = ["Коваленко", "Петренко", "Шевченко", "Бондар", "Мельник", "Kravets", "Lysenko", "Tkachenko"]
        let cities = ["Київ", "Львів", "Одеса", "Харків", "Дніпро", "Vinnytsia", "Poltava"]
        let operators = ["67", "50", "63", "93", "66", "97", "68", "73"]
        var buffer = "Email,Phone,First name,Last name,Date of birth,City,Score\n"
        var written: Int64 = 0
        for row in 0..<rows {
            let op = operators[row % operators.count]
            let subscriber = 1_000_000 + (row * 7_919) % 8_999_999
            let digits = String(subscriber)
            let phone: String
            switch row % 5 {
            case 0: phone = "+380 \(op) \(digits.prefix(3)) \(digits.dropFirst(3).prefix(2)) \(digits.suffix(2))"
            case 1: phone = "0\(op) \(digits.prefix(3)) \(digits.dropFirst(3).prefix(2)) \(digits.suffix(2))"
            case 2: phone = "80\(op)\(digits)"
            case 3: phone = "380\(op)\(digits)"
            default: phone = "(0\(op)) \(digits.prefix(3))-\(digits.dropFirst(3).prefix(2))-\(digits.suffix(2))"
            }
            let day = 1 + row % 28
            let month = 1 + row % 12
            let year = 1950 + row % 55
            buffer += "user\(row).\(digits)@example\(row % 97).com,\(phone),\(firstNames[row % firstNames.count]),\(lastNames[row % lastNames.count]),"
            buffer += "\(day < 10 ? "0" : "")\(day).\(month < 10 ? "0" : "")\(month).\(year),\(cities[row % cities.count]),\(row % 1000)\n"
            if buffer.utf8.count > 1 << 20 {
                let data = Data(buffer.utf8)
                written += Int64(data.count)
                handle.write(data)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        let data = Data(buffer.utf8)
        written += Int64(data.count)
        handle.write(data)
        return written
    }

    /// What one program run took: wall time, what it printed, how it ended, and its own peak
    /// resident set.
    struct Run {
        let seconds: Double
        let output: String
        let status: Int32
        let peakMiB: Double
    }

    /// Runs a program to completion, stdout to a file, and measures that process alone: it is
    /// started with posix_spawn and reaped with wait4, whose rusage is the child's own (unlike
    /// getrusage(RUSAGE_CHILDREN), the largest of every child reaped so far, the Python peer
    /// included).
    static func run(_ executable: String, _ arguments: [String], scratch: String) throws -> Run {
        let outputPath = scratch + "/stdout-\(getpid())"
        defer { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid = pid_t()
        let start = DispatchTime.now().uptimeNanoseconds
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw BenchFailure("cannot start \(executable): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw BenchFailure("wait4 failed: \(String(cString: strerror(errno)))") }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        // WIFEXITED / WEXITSTATUS are macros Swift does not import: low 7 bits 0 means it exited.
        let exitStatus = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        // Linux reports ru_maxrss in KiB.
        return Run(seconds: seconds, output: output, status: exitStatus, peakMiB: Double(usage.ru_maxrss) / 1024)
    }

    func run() throws {
        let rows = options.events == 1_000_000 ? 2_500_000 : options.events
        try FileManager.default.createDirectory(atPath: options.directory, withIntermediateDirectories: true)
        let file = options.directory + "/import-base.csv"
        let bytes = try Self.generate(file, rows: rows)
        FileHandle.standardError.write(Data("import: generated \(rows) rows, \(bytes / 1_048_576) MiB\n".utf8))
        let ledger = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ledger").path
        var rates = [Double]()
        var secondsRuns = [Double]()
        var reimportRates = [Double]()
        var peerRates = [Double]()
        var peaks = [Double]()
        var peerPeaks = [Double]()
        for run in 0..<options.runs {
            let store = options.directory + "/import-store-\(run)"
            try? FileManager.default.removeItem(atPath: store)
            let first = try Self.run(ledger, ["import", file, "--store", store, "--default-region", "UA", "--json"], scratch: options.directory)
            guard first.status == 0 else { throw BenchFailure("ledger import failed: \(first.output)") }
            rates.append(Double(rows) / first.seconds)
            secondsRuns.append(first.seconds)
            peaks.append(first.peakMiB)
            FileHandle.standardError.write(Data("import run \(run): \(String(format: "%.1f", first.seconds)) s\n".utf8))
            let again = try Self.run(ledger, ["import", file, "--store", store, "--default-region", "UA", "--json"], scratch: options.directory)
            reimportRates.append(Double(rows) / again.seconds)
            try? FileManager.default.removeItem(atPath: store)
            let database = options.directory + "/peer-\(run).sqlite"
            try? FileManager.default.removeItem(atPath: database)
            let peer = try Self.run("/usr/bin/env", ["python3", "tools/baseline/import_peer.py", file, database], scratch: options.directory)
            if peer.status == 0, let rate = Double(peer.output.trimmingCharacters(in: .whitespacesAndNewlines)) {
                peerRates.append(rate)
                peerPeaks.append(peer.peakMiB)
            }
            try? FileManager.default.removeItem(atPath: database)
        }
        let peer = peerRates.sorted().dropFirst(peerRates.count / 2).first
        BenchReport.figure("import.csv.300mb", rates, unit: "rows/s", baseline: peer, target: 100_000)
        BenchReport.figure("import.csv.300mb.seconds", secondsRuns, unit: "s")
        BenchReport.figure("import.csv.300mb.peak_rss", peaks, unit: "MiB", target: 300, lowerIsBetter: true)
        BenchReport.figure("import.peer.python", peerRates, unit: "rows/s")
        BenchReport.figure("import.peer.python.peak_rss", peerPeaks, unit: "MiB")
        BenchReport.figure("import.reimport", reimportRates, unit: "rows/s", target: 200_000)
        try? FileManager.default.removeItem(atPath: file)
    }
}

