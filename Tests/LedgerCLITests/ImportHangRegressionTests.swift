import Foundation
import Testing

/// Inputs the import fuzz suite found to hang the importer, each kept small and bounded in time.
@Suite("ledger import: inputs the fuzz suite found")
struct ImportHangRegressionTests {
    /// 64 rows of 4,000 bytes that are invalid in windows-1251 (0x98 is unassigned there): each
    /// invalid byte used to cost a memset of three times the rest of its 1 MiB chunk, so this
    /// 250 KB file took hours (a 64 KB file of random bytes took 6 s). Now well under a second.
    @Test("a file dense with bytes invalid in its encoding is read in bounded time, every row rejected")
    func invalidBytes() throws {
        let folder = NSTemporaryDirectory() + "ledger-invalid-bytes-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let row = Data("a@example.com;".utf8) + Data(repeating: 0x98, count: 4_000) + Data("\n".utf8)
        let file = folder + "/invalid.csv"
        try (Data("Email;Name\n".utf8) + Data((0..<64).flatMap { _ in row })).write(to: URL(fileURLWithPath: file))
        let outcome = try Executables.runBounded(
            "ledger", ["import", file, "--encoding", "cp1251", "--store", folder + "/store", "--dry-run", "--json"],
            seconds: 30, addressSpace: ImportFuzzTests.addressSpace, folder: folder)
        #expect(!outcome.timedOut)
        // Every row rejected: bad data (docs/operations.md, exit statuses).
        #expect(outcome.status == 65, "\(String(decoding: outcome.stderr, as: UTF8.self))")
        let summary = try #require(try JSONSerialization.jsonObject(with: outcome.stdout) as? [String: Any])
        #expect(summary["rows"] as? Int == 64)
        #expect(summary["rejected"] as? Int == 64)
        #expect(summary["undecodableRows"] as? Int == 64)
    }
}
