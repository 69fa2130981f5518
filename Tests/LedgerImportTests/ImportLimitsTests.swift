import LedgerDomain
import Testing

@testable import LedgerImport

@Suite("Import limits")
struct ImportLimitsTests {
    @Test("a row within the limits makes fewer changes than a derived id tells apart, on fewer rows")
    func limitsFitTheIds() {
        // One field.defined per column, one segment.member-added per segment, and a few more
        // (created, identifiers, fields changed): 64 is generous.
        #expect(ImportLimits.columns + ImportLimits.segments + 64 < EventID.sourceChangeLimit)
        #expect(UInt64(ImportLimits.spreadsheetRows) < EventID.sourceRowLimit)
    }

    @Test("more segments than the limit are refused, naming the limit; the limit itself is taken")
    func segments() throws {
        var options = ImportOptions()
        options.segments = (0..<ImportLimits.segments).map { "s\($0)" }
        try ImportLimits.check(options)
        options.segments.append("one more")
        let error = try #require(throws: ImportLimitError.self) { try ImportLimits.check(options) }
        #expect(error.message.contains("101 segments") && error.message.contains("at most 100"), "\(error.message)")
    }

    @Test("a header wider than the limit is refused, naming the file and the limit")
    func columns() throws {
        try ImportLimits.check(header: Array(repeating: "c", count: ImportLimits.columns), file: "wide.csv")
        let error = try #require(throws: ImportFileError.self) {
            try ImportLimits.check(header: Array(repeating: "c", count: ImportLimits.columns + 1), file: "wide.csv")
        }
        #expect(error.code == .tooManyColumns)
        #expect(error.message.hasPrefix("wide.csv: the header has 16385 columns; an import reads at most 16384"), "\(error.message)")
    }

    @Test("a row number ids cannot be derived from is a rejected row, never a trap", arguments: [-5, 0, Int.max, Int(EventID.sourceRowLimit)])
    func badRowNumbers(number: Int) throws {
        let error = try #require(throws: RowRejection.self) { try RowPreparer.sourceRow(Row(number: number, fields: [])) }
        #expect(error.reason.contains("\(number)"))
        #expect(try RowPreparer.sourceRow(Row(number: 2, fields: [])) == 2)
    }
}
