import Foundation
import Testing

@testable import LedgerImport

@Suite("XLS reader")
struct XLSReaderTests {
    @Test("An Excel 97 workbook reads like its .xlsx twin")
    func contacts() throws {
        let source = try #require(try Fixtures.open("contacts.xls") as? XLSReader)
        #expect(source.format == .xls)
        #expect(source.sheetNames == ["Contacts", "Archive"])
        #expect(source.header == XLSXReaderTests.contactsHeader)
        #expect(try Fixtures.rows(of: source) == XLSXReaderTests.contactsRows)
    }

    @Test("Sheet N is the Nth sheet")
    func secondSheet() throws {
        let source = try Fixtures.open("contacts.xls", options: ReadOptions(sheet: 2))
        #expect(source.header == .ok(1, ["Name", "Phone"]))
        #expect(try Fixtures.rows(of: source) == [.ok(2, ["Taras", "380501112233"])])
    }

    @Test("A sheet that does not exist is an error")
    func missingSheet() throws {
        let error = try #require(throws: ImportFileError.self) {
            try Fixtures.open("contacts.xls", options: ReadOptions(sheet: 5))
        }
        #expect(error.code == .sheetNotFound)
    }

    @Test("A damaged OLE2 file is a clear error")
    func damaged() throws {
        let error = try #require(throws: ImportFileError.self) { try Fixtures.open("damaged.xls") }
        #expect(error.code == .invalidWorkbook)
        #expect(error.message.hasPrefix("damaged.xls: "))
    }

    @Test("A password-protected .xlsx (an OLE2 container) is reported as encrypted")
    func encrypted() throws {
        #expect(try FileFormat.detect(at: Fixtures.url("encrypted.xlsx")) == .xls)
        let error = try #require(throws: ImportFileError.self) { try Fixtures.open("encrypted.xlsx") }
        #expect(error.code == .encrypted)
    }

    @Test("FreeXL date-times are written like the .xlsx reader's")
    func dateTimes() {
        #expect(FreeXLWorkbook.isoDateTime("2024-03-15 00:00:00") == "2024-03-15")
        #expect(FreeXLWorkbook.isoDateTime("2024-03-15 18:30:00") == "2024-03-15T18:30:00")
    }
}
