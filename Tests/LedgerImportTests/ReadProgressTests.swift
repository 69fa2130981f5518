import Foundation
import Testing

@testable import LedgerImport

@Suite("Read progress")
struct ReadProgressTests {
    /// The progress after the header and after each row of a delimited text file.
    static func textProgress(_ name: String, chunkSize: Int) throws -> (header: ReadProgress, rows: [ReadProgress]) {
        let reader = try DelimitedTextReader(url: Fixtures.url(name), options: ReadOptions(), chunkSize: chunkSize)
        let header = reader.progress
        var rows: [ReadProgress] = []
        while try reader.nextRow() != nil { rows.append(reader.progress) }
        return (header, rows)
    }

    @Test("Delimited text: the file bytes up to the end of the last row read, across chunk boundaries", arguments: [7, 64, 1 << 20])
    func text(chunkSize: Int) throws {
        let (header, rows) = try Self.textProgress("lf.csv", chunkSize: chunkSize)
        #expect(header == ReadProgress(consumed: 22, total: 196))  // "name,phone,email,note\n"
        // Row 3 holds a quoted line break: it takes two lines of the file and one row.
        #expect(rows.map(\.consumed) == [93, 170, 196])
        #expect(rows.last?.fraction == 1)
    }

    @Test("A byte-order mark counts as consumed with the header")
    func bom() throws {
        let (header, rows) = try Self.textProgress("bom.csv", chunkSize: 1 << 20)
        #expect(header.consumed == Int64(3 + "ім'я,телефон\n".utf8.count))
        #expect(rows.last == ReadProgress(consumed: 50, total: 50))
    }

    @Test("Converted text (windows-1251) ends at the file size and never goes back", arguments: [5, 1 << 20])
    func converted(chunkSize: Int) throws {
        let (header, rows) = try Self.textProgress("cp1251.csv", chunkSize: chunkSize)
        let consumed = [header.consumed] + rows.map(\.consumed)
        #expect(consumed == consumed.sorted())
        #expect(header.consumed > 0 && header.consumed < 110)
        #expect(rows.last == ReadProgress(consumed: 110, total: 110))
    }

    @Test("Workbooks: .xlsx counts the sheet part's bytes, .xls its rows; both end complete", arguments: ["contacts.xlsx", "contacts.xls"])
    func workbooks(name: String) throws {
        let source = try Fixtures.open(name)
        let start = source.progress
        #expect(start.total > 0)
        #expect(start.consumed <= start.total)
        _ = try Fixtures.rows(of: source)
        #expect(source.progress.fraction == 1)
    }

    @Test("Fractions are clamped, and unknown without a total")
    func fraction() {
        #expect(ReadProgress(consumed: 5, total: 0).fraction == nil)
        #expect(ReadProgress(consumed: 15, total: 10).fraction == 1)
        #expect(ReadProgress(consumed: 1, total: 4).fraction == 0.25)
    }
}
