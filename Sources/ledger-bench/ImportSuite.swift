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

    /// Runs a program to completion; returns wall seconds and its stdout.
    static func run(_ executable: String, _ arguments: [String]) throws -> (seconds: Double, output: String, status: Int32) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        let start = DispatchTime.now().uptimeNanoseconds
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return (seconds, String(decoding: data, as: UTF8.self), process.terminationStatus)
    }

    /// The largest resident set of any child that has ended, in MiB.
    static func peakChildMiB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
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
        for run in 0..<options.runs {
            let store = options.directory + "/import-store-\(run)"
            try? FileManager.default.removeItem(atPath: store)
            let first = try Self.run(ledger, ["import", file, "--store", store, "--default-region", "UA", "--json"])
            guard first.status == 0 else { throw BenchFailure("ledger import failed: \(first.output)") }
            rates.append(Double(rows) / first.seconds)
            secondsRuns.append(first.seconds)
            FileHandle.standardError.write(Data("import run \(run): \(String(format: "%.1f", first.seconds)) s\n".utf8))
            let again = try Self.run(ledger, ["import", file, "--store", store, "--default-region", "UA", "--json"])
            reimportRates.append(Double(rows) / again.seconds)
            try? FileManager.default.removeItem(atPath: store)
            let database = options.directory + "/peer-\(run).sqlite"
            try? FileManager.default.removeItem(atPath: database)
            let peer = try Self.run("/usr/bin/env", ["python3", "tools/baseline/import_peer.py", file, database])
            if peer.status == 0, let rate = Double(peer.output.trimmingCharacters(in: .whitespacesAndNewlines)) { peerRates.append(rate) }
            try? FileManager.default.removeItem(atPath: database)
        }
        let peer = peerRates.sorted().dropFirst(peerRates.count / 2).first
        BenchReport.figure("import.csv.300mb", rates, unit: "rows/s", baseline: peer, target: 100_000)
        BenchReport.figure("import.csv.300mb.seconds", secondsRuns, unit: "s")
        BenchReport.figure("import.csv.300mb.peak_rss", [Self.peakChildMiB()], unit: "MiB")
        BenchReport.figure("import.peer.python", peerRates, unit: "rows/s")
        BenchReport.figure("import.reimport", reimportRates, unit: "rows/s", target: 200_000)
        try? FileManager.default.removeItem(atPath: file)
    }
}

