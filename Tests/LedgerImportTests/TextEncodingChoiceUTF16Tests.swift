import Foundation
import Testing

@testable import LedgerImport

/// UTF-16 without a byte-order mark, and `--encoding` that the bytes contradict (issue 15, item 20).
@Suite("UTF-16 detection and named encodings")
struct TextEncodingChoiceUTF16Tests {
    static let text = "Email;Ім'я\nolena@example.com;Олена\n"

    static func utf16(_ text: String, littleEndian: Bool) -> [UInt8] {
        text.utf16.flatMap { unit -> [UInt8] in
            let pair = [UInt8(unit & 0xFF), UInt8(unit >> 8)]
            return littleEndian ? pair : pair.reversed()
        }
    }

    @Test("UTF-16LE and BE without a mark are told by where their NULs fall")
    func unmarked() throws {
        let little = TextEncodingChoice.detect(prefix: Self.utf16(Self.text, littleEndian: true), prefixIsWholeFile: true) { _, _ in [] }
        #expect(little.name == "UTF-16LE")
        #expect(little.bomLength == 0)
        let big = TextEncodingChoice.detect(prefix: Self.utf16(Self.text, littleEndian: false), prefixIsWholeFile: true) { _, _ in [] }
        #expect(big.name == "UTF-16BE")
    }

    @Test("8-bit text, and binary noise with NULs on both sides, are not taken for UTF-16")
    func notUTF16() {
        #expect(TextEncodingChoice.utf16WithoutMark(Array(Self.text.utf8)) == nil)
        #expect(TextEncodingChoice.utf16WithoutMark([0, 0, 0, 0, 0, 0, 0, 0, 0x41, 0x42]) == nil)
        #expect(TextEncodingChoice.utf16WithoutMark([0x41, 0]) == nil, "too short to tell")
    }

    @Test("UTF-16 named for a file without NULs, or cp1251 named for UTF-16 text, is refused")
    func contradicted() throws {
        #expect(throws: ImportFileError.self) {
            try TextEncodingChoice.checkNamed("utf-16le", prefix: Array(Self.text.utf8), file: "c.csv")
        }
        #expect(throws: ImportFileError.self) {
            try TextEncodingChoice.checkNamed("cp1251", prefix: [0xFF, 0xFE] + Self.utf16(Self.text, littleEndian: true), file: "c.csv")
        }
        try TextEncodingChoice.checkNamed("utf-16le", prefix: Self.utf16(Self.text, littleEndian: true), file: "c.csv")
        try TextEncodingChoice.checkNamed("cp1251", prefix: Array(Self.text.utf8), file: "c.csv")
    }

    @Test("a UTF-16LE file named as such skips its mark; unmarked UTF-16 lets iconv read the mark")
    func namedSkipsMark() {
        let marked = [0xFF, 0xFE] + Self.utf16(Self.text, littleEndian: true)
        #expect(TextEncodingChoice.named("UTF-16LE", prefix: marked).bomLength == 2)
        #expect(TextEncodingChoice.named("utf-16", prefix: marked).bomLength == 0)
        #expect(TextEncodingChoice.named("UTF-16BE", prefix: marked).bomLength == 0)
    }

    @Test("a file named .xlsx or .xlsm must be a workbook; .xls and .csv may hold text")
    func workbookNames() throws {
        #expect(throws: ImportFileError.self) { try TabularFile.checkExtension("contacts.xlsx", format: .delimitedText) }
        #expect(throws: ImportFileError.self) { try TabularFile.checkExtension("CONTACTS.XLSM", format: .delimitedText) }
        try TabularFile.checkExtension("contacts.xlsx", format: .xlsx)
        try TabularFile.checkExtension("encrypted.xlsx", format: .xls)
        try TabularFile.checkExtension("export.xls", format: .delimitedText)
        try TabularFile.checkExtension("contacts.csv", format: .xlsx)
    }
}
