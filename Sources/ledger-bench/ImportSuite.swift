import Foundation

/// The import suite: a generated ~300 MB contact base imported end to end by the release
/// `ledger` binary (wall time and peak memory of the process), the Python peer on the same
/// file, and a re-import of the same file; then the same kind of base as a ~100 MB .xlsx
/// workbook (`--xlsx-rows N`, default 2,000,000; 0 skips it).
struct ImportSuite {
    let options: BenchOptions

    /// Writes `rows` contacts (7 columns, phones in mixed local and international forms).
    static func generate(_ path: String, rows: Int) throws -> Int64 {
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var buffer = "Email,Phone,First name,Last name,Date of birth,City,Score\n"
        var written: Int64 = 0
        for row in 0..<rows {
            let contact = SyntheticBase.contact(row)
            buffer += "\(contact.email),\(contact.phone),\(SyntheticBase.firstNames[row % SyntheticBase.firstNames.count]),"
            buffer += "\(SyntheticBase.lastNames[row % SyntheticBase.lastNames.count]),\(contact.birthText),"
            buffer += "\(SyntheticBase.cities[row % SyntheticBase.cities.count]),\(row % 1000)\n"
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

    /// Fails the run unless the import's JSON summary says `created` contacts and `events` events
    /// (when given): a fast import that records the wrong thing is no result.
    static func check(_ run: ChildProcess.Outcome, created: Int, events: Int? = nil) throws {
        let summary = (try? JSONSerialization.jsonObject(with: Data(run.output.utf8))) as? [String: Any] ?? [:]
        let made = summary["created"] as? Int ?? -1
        let recorded = summary["events"] as? Int ?? -1
        guard made == created, events.map({ $0 == recorded }) ?? true else {
            throw BenchFailure("check failed: created \(made) (expected \(created)), events \(recorded)\(events.map { " (expected \($0))" } ?? "")")
        }
    }

    /// `--consent` for `ledger import`, when the suite was given one.
    var consentFlags: [String] { options.consent.map { ["--consent", $0] } ?? [] }

    /// Events an import records per generated row: one (every row makes a new contact, whose
    /// consent on the import's stated terms, identifiers and fields ride in its
    /// `contact.created`, decisions 0022 and 0026).
    var eventsPerRow: Int { 1 }

    func run() throws {
        FileHandle.standardError.write(Data("import: ledger import --consent \(options.consent ?? "confirmed (default)")\n".utf8))
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
            let first = try ChildProcess.run(ledger, ["import", file, "--store", store, "--default-region", "UA", "--json"] + consentFlags)
            guard first.status == 0 else { throw BenchFailure("ledger import failed: \(first.output)") }
            // Every generated row is valid: one contact.created carrying the consent on e-mail
            // and SMS (unless --consent none), e-mail, phone and fields; City and Score declared once.
            try Self.check(first, created: rows, events: rows * eventsPerRow + 2)
            rates.append(Double(rows) / first.seconds)
            secondsRuns.append(first.seconds)
            peaks.append(first.peakMiB)
            FileHandle.standardError.write(Data("import run \(run): \(String(format: "%.1f", first.seconds)) s\n".utf8))
            let again = try ChildProcess.run(ledger, ["import", file, "--store", store, "--default-region", "UA", "--json"] + consentFlags)
            try Self.check(again, created: 0, events: 0)
            reimportRates.append(Double(rows) / again.seconds)
            try? FileManager.default.removeItem(atPath: store)
            let database = options.directory + "/peer-\(run).sqlite"
            try? FileManager.default.removeItem(atPath: database)
            let peer = try ChildProcess.run("/usr/bin/env", ["python3", "tools/baseline/import_peer.py", file, database])
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
        try runWorkbook(ledger: ledger)
    }

    /// `import.xlsx`: a generated workbook into an empty ledger, end to end.
    func runWorkbook(ledger: String) throws {
        let rows = options.xlsxRows ?? 2_000_000
        guard rows > 0 else { return }
        let file = options.directory + "/import-base.xlsx"
        var size: Int64 = 0
        let generation = try BenchReport.time { size = try XLSXBase.write(file, rows: rows, scratch: options.directory) }
        FileHandle.standardError.write(Data("import.xlsx: generated \(rows) rows, \(size / 1_048_576) MiB in \(String(format: "%.1f", generation)) s\n".utf8))
        defer { try? FileManager.default.removeItem(atPath: file) }
        var rates = [Double]()
        var peaks = [Double]()
        for run in 0..<options.runs {
            let store = options.directory + "/import-xlsx-store-\(run)"
            try? FileManager.default.removeItem(atPath: store)
            defer { try? FileManager.default.removeItem(atPath: store) }
            let imported = try ChildProcess.run(ledger, ["import", file, "--store", store, "--default-region", "UA", "--json"] + consentFlags)
            guard imported.status == 0 else { throw BenchFailure("ledger import of the workbook failed: \(imported.output)") }
            try Self.check(imported, created: rows, events: rows * eventsPerRow + 2)
            rates.append(Double(rows) / imported.seconds)
            peaks.append(imported.peakMiB)
            FileHandle.standardError.write(Data("import.xlsx run \(run): \(String(format: "%.1f", imported.seconds)) s\n".utf8))
        }
        BenchReport.figure("import.xlsx", rates, unit: "rows/s", target: 50_000)
        BenchReport.figure("import.xlsx.peak_rss", peaks, unit: "MiB")
        BenchReport.figure("import.xlsx.size", [Double(size) / 1_048_576], unit: "MiB")
    }
}

