import Foundation
import Testing

@testable import LedgerImport

@Suite("File format and size checks")
struct FileFormatTests {
    @Test("Content decides the format, not the extension", arguments: [
        ("contacts.xlsx", FileFormat.xlsx), ("contacts.xls", .xls), ("lf.csv", .delimitedText),
        ("html.xls", .delimitedText), ("encrypted.xlsx", .xls), ("utf16le.txt", .delimitedText),
    ])
    func detection(name: String, expected: FileFormat) throws {
        #expect(try FileFormat.detect(at: Fixtures.url(name)) == expected)
    }

    @Test("A workbook renamed to .csv is still read as a workbook")
    func renamed() throws {
        let bytes = try [UInt8](Data(contentsOf: Fixtures.url("contacts.xlsx")))
        let url = try Fixtures.temporaryFile(bytes, name: "contacts.csv")
        defer { Fixtures.removeTemporaryFile(url) }
        #expect(try TabularFile.open(url).format == .xlsx)
    }

    @Test("A file over 300 MB is refused before reading, with advice to split it")
    func tooLarge() throws {
        let url = try Fixtures.temporaryFile([], name: "huge.csv")
        defer { Fixtures.removeTemporaryFile(url) }
        // A sparse file: 301 MiB long without using the disk space.
        let handle = try FileHandle(forWritingTo: url)
        try handle.truncate(atOffset: 301 * 1024 * 1024)
        try handle.close()
        let error = try #require(throws: ImportFileError.self) { try TabularFile.open(url) }
        #expect(error.code == .fileTooLarge)
        #expect(error.message.hasPrefix("huge.csv: the file is 301 MB, over the 300 MB limit; split it"))
        #expect(error.message.contains("delete columns"))
    }

    @Test("A missing file is unreadable, not a crash")
    func missing() throws {
        let url = URL(fileURLWithPath: "/nonexistent/contacts.csv")
        let error = try #require(throws: ImportFileError.self) { try TabularFile.open(url) }
        #expect(error.code == .unreadable)
    }

    @Test("Error descriptions carry the code and message, never the cause")
    func description() {
        struct Secret: Error {}
        let error = ImportFileError(.invalidWorkbook, file: "a.xlsx", row: 7, field: "cell C7", reason: "bad", cause: Secret())
        #expect(error.description == "invalidWorkbook: a.xlsx, row 7, cell C7: bad")
    }
}
