import Foundation
import Testing

@testable import LedgerImport

@Suite("Delimited text reader")
struct DelimitedTextReaderTests {
    static let basicRows: [Row] = [
        .ok(2, ["Olena Kovalenko", "+380671234567", "olena@example.com", "Kyiv, Khreshchatyk 1"]),
        .ok(3, ["Petro \"Pete\" Shevchenko", "0501234567", "petro@example.com", "line one\nline two"]),
        .ok(4, ["Iryna", "380931112233", "", "plain"]),
    ]

    @Test("LF, CRLF and CR line ends give the same rows, quotes and multi-line values intact",
          arguments: ["lf.csv", "crlf.csv", "cr.csv"])
    func lineEnds(name: String) throws {
        let source = try Fixtures.open(name)
        #expect(source.format == .delimitedText)
        #expect(source.encoding == "UTF-8")
        #expect(source.header == .ok(1, ["name", "phone", "email", "note"]))
        #expect(try Fixtures.rows(of: source) == Self.basicRows)
    }

    @Test("CRLF inside a quoted value is kept as written (csv-spectrum's newlines_crlf, with real CRLFs)")
    func crlfInsideQuotes() throws {
        let url = try Fixtures.temporaryFile(Array("a,b,c\r\n1,2,3\r\n\"Once upon \r\na time\",5,6\r\n7,8,9\r\n".utf8))
        defer { Fixtures.removeTemporaryFile(url) }
        let rows = try Fixtures.rows(of: TabularFile.open(url))
        #expect(rows == [.ok(2, ["1", "2", "3"]), .ok(3, ["Once upon \r\na time", "5", "6"]), .ok(4, ["7", "8", "9"])])
    }

    @Test("Every chunk boundary gives the same rows (CR|LF, quote|quote, UTF-8 sequences split)",
          arguments: [1, 2, 3, 5, 7, 64])
    func chunkBoundaries(chunkSize: Int) throws {
        for name in ["lf.csv", "crlf.csv", "cr.csv", "bom.csv", "cp1251.csv", "utf16le.txt"] {
            let whole = try Fixtures.rows(of: DelimitedTextReader(url: Fixtures.url(name), options: ReadOptions()))
            let reader = try DelimitedTextReader(url: Fixtures.url(name), options: ReadOptions(), chunkSize: chunkSize)
            #expect(try Fixtures.rows(of: reader) == whole, "\(name) in chunks of \(chunkSize)")
        }
    }

    @Test("Blank lines are skipped and take no row number")
    func blankLines() throws {
        let source = try Fixtures.open("blank-lines.csv")
        #expect(source.header == .ok(1, ["name", "phone"]))
        #expect(try Fixtures.rows(of: source) == [.ok(2, ["1", "2"]), .ok(3, ["3", "4"])])
    }

    @Test("Ragged rows are returned as read with a field-count problem naming the row")
    func raggedRows() throws {
        let rows = try Fixtures.rows(of: Fixtures.open("ragged.csv"))
        #expect(rows.map(\.number) == [2, 3, 4, 5])
        #expect(rows.map(\.fields) == [["a", "1", "x"], ["b", "2"], ["c", "3", "z", "extra"], ["d", "4", "w"]])
        #expect(rows.map { $0.problem?.code } == [nil, .fieldCount, .fieldCount, nil])
        #expect(rows[1].problem?.message.hasPrefix("row 3 has 2 fields but the header has 3") == true)
    }

    @Test("A UTF-8 byte-order mark is not part of the first header")
    func byteOrderMark() throws {
        let source = try Fixtures.open("bom.csv")
        #expect(source.encoding == "UTF-8")
        #expect(source.header.fields == ["ім'я", "телефон"])
        #expect(try Fixtures.rows(of: source) == [.ok(2, ["Олена", "380671234567"])])
    }

    @Test("Semicolon and tab files are detected; commas inside values do not mislead")
    func delimiters() throws {
        let semicolon = try #require(try Fixtures.open("semicolon.txt") as? DelimitedTextReader)
        #expect(semicolon.delimiter == .semicolon)
        #expect(try semicolon.nextRow() == .ok(2, ["Olena", "Kyiv, Ukraine", "380671234567"]))
        let tab = try #require(try Fixtures.open("tab.txt") as? DelimitedTextReader)
        #expect(tab.delimiter == .tab)
        #expect(tab.header.fields == ["name", "phone", "email"])
    }

    @Test("An explicit delimiter overrides detection")
    func explicitDelimiter() throws {
        let source = try Fixtures.open("semicolon.txt", options: ReadOptions(delimiter: .comma))
        #expect(source.header.fields == ["name;city;phone"])
        #expect(try source.nextRow()?.fields == ["Olena;Kyiv", " Ukraine;380671234567"])
    }

    @Test("A quote that is never closed is an error naming the row where it opens")
    func unclosedQuote() throws {
        let source = try Fixtures.open("unclosed-quote.csv")
        #expect(try source.nextRow() == .ok(2, ["a", "fine"]))
        let error = try #require(throws: ImportFileError.self) { try source.nextRow() }
        #expect(error.code == .unclosedQuote)
        #expect(error.row == 3)
        #expect(error.message.hasPrefix("unclosed-quote.csv, row 3: "))
    }

    @Test("A record over the size limit stops the read instead of swallowing the file")
    func recordTooLong() throws {
        let text = "name,note\na,\"" + String(repeating: "x", count: 5000) + "\n"
        let url = try Fixtures.temporaryFile(Array(text.utf8))
        defer { Fixtures.removeTemporaryFile(url) }
        let source = try TabularFile.open(url, options: ReadOptions(maxRecordBytes: 1024))
        let error = try #require(throws: ImportFileError.self) { try source.nextRow() }
        #expect(error.code == .recordTooLong)
        #expect(error.row == 2)
    }

    @Test("Bytes that are not UTF-8 past the detection sample flag their row only")
    func invalidUTF8Row() throws {
        // 80 KB of ASCII rows push the windows-1251 bytes beyond the 64 KiB UTF-8 sample.
        let filler = String(repeating: "x,y\n", count: 20_000)
        let bytes = Array("name,city\nOlena,Київ\n\(filler)Ivan,".utf8) + [0xCB, 0xFC, 0xE2, 0xB3, 0xE2]
            + Array("\nIra,Lviv\n".utf8)
        let url = try Fixtures.temporaryFile(bytes)
        defer { Fixtures.removeTemporaryFile(url) }
        let source = try DelimitedTextReader(url: url, options: ReadOptions(), chunkSize: 4096)
        #expect(source.encoding == "UTF-8")
        let flagged = try Fixtures.rows(of: source).filter { $0.problem != nil }
        #expect(flagged.map(\.number) == [20_003])
        #expect(flagged.first?.problem?.code == .undecodableText)
        #expect(flagged.first?.fields.first == "Ivan")
        #expect(flagged.first?.fields.last?.unicodeScalars.allSatisfy { $0 == "\u{FFFD}" } == true)
    }

    @Test("Quotes inside unquoted values and text after a closing quote are kept, not rejected")
    func lenientQuotes() throws {
        let url = try Fixtures.temporaryFile(Array("a,b\n5\" tall,\"x\"y\n\"\",\n".utf8))
        defer { Fixtures.removeTemporaryFile(url) }
        let rows = try Fixtures.rows(of: TabularFile.open(url))
        #expect(rows == [.ok(2, ["5\" tall", "xy"]), .ok(3, ["", ""])])
    }

    @Test("A last record without a line end is read, then the end is reported every time")
    func noFinalLineEnd() throws {
        let url = try Fixtures.temporaryFile(Array("a,b\n1,2".utf8))
        defer { Fixtures.removeTemporaryFile(url) }
        let source = try DelimitedTextReader(url: url, options: ReadOptions(), chunkSize: 3)
        #expect(try source.nextRow() == .ok(2, ["1", "2"]))
        #expect(try source.nextRow() == nil)
        #expect(try source.nextRow() == nil)
    }

    @Test("An HTML page saved as .xls is refused with advice")
    func htmlDisguisedAsXLS() throws {
        let error = try #require(throws: ImportFileError.self) { try Fixtures.open("html.xls") }
        #expect(error.code == .unsupportedContent)
    }

    @Test("An empty file has no header and is refused")
    func emptyFile() throws {
        let url = try Fixtures.temporaryFile(Array("\n\r\n".utf8))
        defer { Fixtures.removeTemporaryFile(url) }
        let error = try #require(throws: ImportFileError.self) { try TabularFile.open(url) }
        #expect(error.code == .empty)
    }
}
