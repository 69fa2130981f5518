import Foundation
import Testing

@testable import LedgerImport

@Suite("XLSX reader")
struct XLSXReaderTests {
    static let contactsHeader = Row.ok(1, ["Name", "Phone", "Email", "Birthday", "Note"])
    /// What contacts.xlsx and contacts.xls both hold: a date, a phone stored as a number, a sparse
    /// row, an empty row 4.
    static let contactsRows: [Row] = [
        .ok(2, ["Olena Kovalenko", "380671234567", "olena@example.com", "1990-05-17", "two\nlines"]),
        .ok(3, ["Sparse Row", "", "", "", "only A and E"]),
        .ok(5, ["Iryna", "380931112233", "iryna@example.com", "", ""]),
    ]

    @Test("A workbook saved by openpyxl: inline strings, custom date format, big numbers, sparse rows")
    func contacts() throws {
        let source = try #require(try Fixtures.open("contacts.xlsx") as? XLSXReader)
        #expect(source.format == .xlsx)
        #expect(source.sheetNames == ["Contacts", "Archive"])
        #expect(source.sheetName == "Contacts")
        #expect(source.header == Self.contactsHeader)
        #expect(try Fixtures.rows(of: source) == Self.contactsRows)
    }

    @Test("Sheet N is the Nth tab")
    func secondSheet() throws {
        let source = try Fixtures.open("contacts.xlsx", options: ReadOptions(sheet: 2))
        #expect(source.header == .ok(1, ["Name", "Phone"]))
        #expect(try Fixtures.rows(of: source) == [.ok(2, ["Taras", "380501112233"])])
    }

    @Test("A sheet that does not exist is an error naming the count")
    func missingSheet() throws {
        let error = try #require(throws: ImportFileError.self) {
            try Fixtures.open("contacts.xlsx", options: ReadOptions(sheet: 3))
        }
        #expect(error.code == .sheetNotFound)
        #expect(error.message == "contacts.xlsx: sheet 3 was requested but the workbook has 2")
    }

    @Test("Hand-written SpreadsheetML: every cell type, 1904 dates, formats, prefixes, escapes")
    func edgeCases() throws {
        let source = try #require(try Fixtures.open("edge-cases.xlsx") as? XLSXReader)
        #expect(source.sheetNames == ["Main", "Other"])
        #expect(source.header == .ok(1, ["Name", "Value"]))
        let rows = try Fixtures.rows(of: source)
        let expected: [(Int, [String])] = [
            (2, ["inline", "rich text"]),
            (3, ["formula", "formula!"]),
            (4, ["bool", "TRUE"]),
            (5, ["error", "#N/A"]),
            (6, ["exponent", "380671234567"]),
            (7, ["decimal", "12.5"]),
            (8, ["date 1904", "1990-12-31"]),
            (9, ["custom date", "1904-01-01"]),
            (10, ["quoted d", "5"]),
            (11, ["datetime", "1904-04-10T18:00:00"]),
            (12, ["elapsed", "12:00:00"]),
            (13, ["scientific", "0.000015"]),
            (14, ["no refs", "carriage\rreturn "]),
            (16, ["東京", "", "", "beyond"]),
        ]
        #expect(rows.map(\.number) == expected.map(\.0))
        #expect(rows.map(\.fields) == expected.map(\.1))
        #expect(rows.dropLast().allSatisfy { $0.problem == nil })
        #expect(rows.last?.problem?.code == .fieldCount)
    }

    @Test("Shared strings: empty entries, Cyrillic, emoji, escapes, rich text, spaced indexes, prefixed references")
    func sharedStrings() throws {
        let source = try Fixtures.open("shared-strings.xlsx")
        #expect(source.header == .ok(1, ["Email", "Name", "Note"]))
        #expect(
            try Fixtures.rows(of: source) == [
                .ok(2, ["olena@example.com", "Олена Коваленко", "Kyiv центр"]),
                .ok(3, ["👩‍💻 emoji", "", "ґ\rї"]),
                .ok(4, ["", "", "Олена Коваленко"]),
                .ok(5, ["380671234567", "42", ""]),
            ])
    }

    @Test("A cell that refers past the end of the shared strings is an error naming the cell")
    func sharedStringOutOfRange() throws {
        let error = try #require(throws: ImportFileError.self) {
            let source = try Fixtures.open("shared-strings.xlsx", options: ReadOptions(sheet: 2))
            _ = try Fixtures.rows(of: source)
        }
        #expect(error.code == .malformedXML)
        #expect(error.field == "cell A2")
        #expect(error.message.contains("refers to a shared string the workbook does not have"))
    }

    @Test("The second tab is found through workbook.xml, not by the part's file name")
    func tabOrderComesFromWorkbook() throws {
        let source = try Fixtures.open("edge-cases.xlsx", options: ReadOptions(sheet: 2))
        #expect(source.header == .ok(1, ["second tab"]))
        #expect(try source.nextRow() == nil)
    }

    @Test("Rows numbered twice, backwards, negative, wrapped past 2^56, malformed or past row 1,048,576 come out with a problem, none dropped")
    func rowNumbers() throws {
        let source = try Fixtures.open("row-numbers.xlsx")
        #expect(source.header == Row.ok(1, ["Email", "Name"]))
        let rows = try Fixtures.rows(of: source)
        #expect(rows.map { $0.fields[1] } == ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J"], "every row comes out")
        // Row 1,048,577 is past Excel's last row but within the format's: it is read, and the
        // rows after it that go back are rejected.
        #expect(rows.map(\.number) == [2, 2, 2, 2, 2, 3, 1_048_577, 1_048_577, 1_048_577, 1_048_577])
        #expect(rows.map { $0.problem?.code } == [nil, .rowNumber, .rowNumber, .rowNumber, .rowNumber, nil, nil, .rowNumber, .rowNumber, .rowNumber])
        let messages = rows.compactMap { $0.problem?.message }
        #expect(messages[0].contains("the row after row 2 is numbered 2, the same as the row before it"), "\(messages[0])")
        #expect(messages[1].contains("numbered -5, outside the rows 1 to 4294967295"), "\(messages[1])")
        #expect(messages[2].contains("numbered 72057594037927938"), "\(messages[2])")
        #expect(messages[3].contains("\"x7\"") && messages[3].contains("not a whole number"), "\(messages[3])")
        #expect(messages[4].contains("the row after row 1048577 is numbered 5, below the row before it"), "\(messages[4])")
        #expect(messages[6].contains("the row after row 1048577 is numbered 1048576"), "\(messages[6])")
    }

    @Test("A header row numbered 0 makes the sheet unreadable, with the reason")
    func headerRowNumber() throws {
        let error = try #require(throws: ImportFileError.self) { try Fixtures.open("header-row-number.xlsx") }
        #expect(error.code == .malformedXML)
        #expect(error.message.contains("header-row-number.xlsx: the header row: the sheet's first row is numbered 0"), "\(error.message)")
    }

    @Test("A part that unpacks to more than it declares is refused as a ZIP bomb")
    func declaredSizeMismatch() throws {
        let error = try #require(throws: ImportFileError.self) {
            let source = try Fixtures.open("size-mismatch.xlsx")
            _ = try Fixtures.rows(of: source)
        }
        #expect(error.code == .unsafeArchive)
        #expect(error.file == "size-mismatch.xlsx")
        #expect(error.field == "archive entry xl/worksheets/sheet1.xml")
        #expect(error.message.contains("declares 100 bytes but unpacks to more"))
    }

    @Test("A compression ratio over the limit is refused before inflating")
    func compressionRatio() throws {
        let strict = ArchiveLimits(maxPartBytes: 1 << 30, maxCompressionRatio: 2, ratioCheckMinimumBytes: 0)
        let error = try #require(throws: ImportFileError.self) {
            try Fixtures.open("contacts.xlsx", options: ReadOptions(archiveLimits: strict))
        }
        #expect(error.code == .unsafeArchive)
        #expect(error.message.contains("compressed"))
    }

    @Test("A part larger than the limit is refused before inflating")
    func partTooLarge() throws {
        let small = ArchiveLimits(maxPartBytes: 200, maxCompressionRatio: 100, ratioCheckMinimumBytes: 1 << 20)
        let error = try #require(throws: ImportFileError.self) {
            try Fixtures.open("contacts.xlsx", options: ReadOptions(archiveLimits: small))
        }
        #expect(error.code == .unsafeArchive)
    }

    @Test("A ZIP without a workbook is refused with advice")
    func zipWithoutWorkbook() throws {
        let error = try #require(throws: ImportFileError.self) { try Fixtures.open("zipped-csv.xlsx") }
        #expect(error.code == .invalidWorkbook)
    }

    @Test("A document type declaration (entities) in a part stops the read")
    func doctypeRefused() throws {
        let error = try #require(throws: ImportFileError.self) { try Fixtures.open("doctype.xlsx") }
        #expect(error.code == .malformedXML)
        #expect(error.field == "archive entry xl/s.xml")
    }

    @Test("A name that is not UTF-8 stops the read at the error, instead of crashing in XMLParser's recovery (found by the fuzz suite)")
    func recoveredNamesRefused() throws {
        let error = try #require(throws: ImportFileError.self) { try Fixtures.open("recovered-names.xlsx") }
        #expect(error.code == .malformedXML)
        #expect(error.message == "recovered-names.xlsx, archive entry xl/s.xml: the part is not well-formed XML (line 1, column 9); "
            + "the file is damaged — save it again from Excel")
    }

    @Test("Stopping early does not hang: abandoned readers shut their threads down")
    func abandonEarly() throws {
        for _ in 0..<20 {
            let source = try Fixtures.open("contacts.xlsx")
            _ = try source.nextRow()
        }
    }
}
