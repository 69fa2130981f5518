import Foundation

/// The tokens suite: `tokens.import`, a generated generic CSV of web-push subscriptions (1M by
/// default, `--events N`) imported end to end by the release `ledger` binary (rate and peak
/// memory of the process); `tokens.provenance`, one token's chain printed by a whole `ledger
/// tokens provenance` process in that ledger.
struct TokensSuite {
    let options: BenchOptions

    /// Valid P-256 points (keys.p256dh of tools/make-token-fixtures): every row's key is checked
    /// on the curve all the same, so a few distinct points cost what a million would.
    static let points = [
        "BNOWnzE8hgp4Pm1iIXOcFMJGZtAKTITrwQIqFgYfgB7hwTc4ldW7adI9bieHousWYEOr9LPGjneiq0hFj-parzU",
        "BBDq3Un1LCHz0BDLhZkUjCqky-308CcKFxz9xq0VCHmWdVD9L4kdUzAxVybXA2ko1KUrtJzZWx4na7pY1mRKjeA",
        "BJPHe5af4EeCu1nnVvSKg5mCMrcEJimmR9TBOSyicuoqYBlQK4dqMNYEpl4xRs8BUvb_Y3dqL-6DclH52Ja7X8k",
        "BBaUm3KH1PSBiXKZuetv6AzNxYSa4dUn4oDna7mOYcoH56QUbXcO3t69-Ze3W2ASCU0tasb-35g6oJwr56BCBCc",
    ]

    /// Writes `rows` subscriptions, each with its own FCM-shaped endpoint (about 150 characters,
    /// as Chrome's are) and auth secret; returns the file's size.
    static func generate(_ path: String, rows: Int) throws -> Int64 {
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Character {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return alphabet[Int(state >> 58)]
        }
        var buffer = "endpoint,p256dh,auth\n"
        var written: Int64 = 0
        for row in 0..<rows {
            var token = String(repeating: " ", count: 0)
            token.reserveCapacity(120)
            for _ in 0..<110 { token.append(next()) }
            var auth = ""
            for _ in 0..<22 { auth.append(next()) }
            buffer += "https://fcm.googleapis.com/fcm/send/t\(row):APA91b\(token),\(points[row % points.count]),\(auth)\n"
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

    func run() throws {
        let rows = options.eventsFlag ?? 1_000_000
        try FileManager.default.createDirectory(atPath: options.directory, withIntermediateDirectories: true)
        let file = options.directory + "/tokens.csv"
        let bytes = try Self.generate(file, rows: rows)
        defer { try? FileManager.default.removeItem(atPath: file) }
        FileHandle.standardError.write(Data("tokens: generated \(rows) subscriptions, \(bytes / 1_048_576) MiB\n".utf8))
        let ledger = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ledger").path
        var rates = [Double]()
        var peaks = [Double]()
        var provenance = [Double]()
        for run in 0..<options.runs {
            let store = options.directory + "/tokens-store-\(run)"
            try? FileManager.default.removeItem(atPath: store)
            defer { try? FileManager.default.removeItem(atPath: store) }
            let imported = try ChildProcess.run(ledger, ["tokens", "import", file, "--provider", "bench", "--origin", "https://shop.example", "--store", store, "--json"])
            let summary = (try? JSONSerialization.jsonObject(with: Data(imported.output.utf8))) as? [String: Any] ?? [:]
            guard imported.status == 0, summary["recorded"] as? Int == rows else {
                throw BenchFailure("ledger tokens import failed or recorded the wrong count: \(imported.output.prefix(500))")
            }
            rates.append(Double(rows) / imported.seconds)
            peaks.append(imported.peakMiB)
            FileHandle.standardError.write(Data("tokens.import run \(run): \(String(format: "%.1f", imported.seconds)) s, \(Int(imported.peakMiB)) MiB\n".utf8))
            // One token's chain, as an operator asks for it: a whole process each time.
            for probe in 0..<5 {
                let number = (rows / 5) * probe + 1
                let shown = try ChildProcess.run(ledger, ["tokens", "provenance", "token:\(number)", "--store", store])
                guard shown.status == 0, shown.output.contains("token.migrated") else {
                    throw BenchFailure("ledger tokens provenance failed: \(shown.output.prefix(300))")
                }
                provenance.append(shown.seconds * 1000)
            }
        }
        BenchReport.figure("tokens.import", rates, unit: "tokens/s", target: 100_000)
        BenchReport.figure("tokens.import.peak_rss", peaks, unit: "MiB", target: 300, lowerIsBetter: true)
        BenchReport.figure("tokens.provenance", provenance, unit: "ms", target: 50, lowerIsBetter: true)
    }
}
