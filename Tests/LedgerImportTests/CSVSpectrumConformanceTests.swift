import Foundation
import Testing

@testable import LedgerImport

/// The csv-spectrum folder inside `LEDGER_CONFORMANCE_DIR`, or nil when the variable is unset.
private let csvSpectrumDirectory: URL? = ProcessInfo.processInfo.environment["LEDGER_CONFORMANCE_DIR"]
    .map { URL(fileURLWithPath: $0).appendingPathComponent("csv-spectrum") }

/// Runs the csv-spectrum suite: each `csvs/NAME.csv` must parse to the objects in `json/NAME.json`,
/// header row as keys. The suite is not part of the package; set `LEDGER_CONFORMANCE_DIR` to the
/// `conformance` folder (for example `../shared/conformance`) to run it.
@Suite("csv-spectrum conformance", .enabled(if: csvSpectrumDirectory != nil, "set LEDGER_CONFORMANCE_DIR"))
struct CSVSpectrumConformanceTests {
    static let suiteDirectory = csvSpectrumDirectory

    static var caseNames: [String] {
        guard let folder = suiteDirectory?.appendingPathComponent("csvs"),
            let files = try? FileManager.default.contentsOfDirectory(atPath: folder.path)
        else { return [] }
        return files.filter { $0.hasSuffix(".csv") }.map { String($0.dropLast(4)) }.sorted()
    }

    @Test("Each CSV parses to its JSON", arguments: caseNames)
    func conformance(name: String) throws {
        let folder = try #require(Self.suiteDirectory)
        let expected = try JSONSerialization.jsonObject(
            with: Data(contentsOf: folder.appendingPathComponent("json/\(name).json")))
        let source = try TabularFile.open(folder.appendingPathComponent("csvs/\(name).csv"))
        var objects: [[String: String]] = []
        while let row = try source.nextRow() {
            #expect(row.problem == nil, "\(name) row \(row.number): \(String(describing: row.problem))")
            objects.append(Dictionary(zip(source.header.fields, row.fields), uniquingKeysWith: { first, _ in first }))
        }
        #expect(expected as? [[String: String]] == objects)
    }

    @Test("The suite folder holds cases")
    func suiteIsPresent() {
        #expect(Self.caseNames.count >= 12)
    }
}
