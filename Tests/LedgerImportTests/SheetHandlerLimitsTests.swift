import Testing

@testable import LedgerImport

/// Cells and rows over the workbook limits (issue 15, item 7): the row is rejected with a reason
/// naming row and column, the rest of the sheet is read, and no more than the limit is kept.
@Suite("Sheet handler: cell and row limits")
struct SheetHandlerLimitsTests {
    /// One cell's text as XMLParser may hand it over: in pieces.
    enum Cell {
        case inline(String)
        case shared(Int)
    }

    /// The rows a `SheetHandler` makes of `rows` (numbered from 1), the text of inline cells
    /// handed over in pieces of at most `piece` bytes.
    static func rows(_ rows: [[Cell]], sharedStrings: SharedStringTable = SharedStringTable(), piece: Int = 300) throws -> [Row] {
        var made: [Row] = []
        let handler = SheetHandler(fileName: "test.xlsx", sharedStrings: sharedStrings, styles: [], uses1904Dates: false) {
            made.append($0)
        }
        for (index, cells) in rows.enumerated() {
            try handler.didStart("row", attributes: ["r": "\(index + 1)"])
            for cell in cells {
                switch cell {
                case .inline(let text):
                    try handler.didStart("c", attributes: ["t": "inlineStr"])
                    try handler.didStart("is", attributes: [:])
                    try handler.didStart("t", attributes: [:])
                    var rest = Substring(text)
                    while !rest.isEmpty {
                        handler.foundText(String(rest.prefix(piece)))
                        rest = rest.dropFirst(piece)
                    }
                    try handler.didEnd("t")
                    try handler.didEnd("is")
                case .shared(let index):
                    try handler.didStart("c", attributes: ["t": "s"])
                    try handler.didStart("v", attributes: [:])
                    handler.foundText("\(index)")
                    try handler.didEnd("v")
                }
                try handler.didEnd("c")
            }
            try handler.didEnd("row")
        }
        return made
    }

    @Test("A cell of 32,767 characters is read whole; one more makes its row rejected, naming row and column, and the next row is read")
    func cellLimit() throws {
        let atLimit = String(repeating: "я", count: 32_767)
        let over = String(repeating: "a", count: 32_768)
        let rows = try Self.rows([[.inline("x"), .inline(atLimit)], [.inline("y"), .inline(over)], [.inline("z")]])
        #expect(rows.map(\.number) == [1, 2, 3])
        #expect(rows[0].problem == nil)
        #expect(rows[0].fields[1] == atLimit)
        let problem = try #require(rows[1].problem)
        #expect(problem.code == .tooLong)
        #expect(problem.message.hasPrefix("row 2, column B: cell longer than 32,767 characters"), "\(problem.message)")
        #expect(rows[1].fields[1].utf16.count == 32_767, "cut to the limit")
        #expect(rows[2].problem == nil)
    }

    @Test("Characters are counted as Excel does, in UTF-16 units: 16,384 emoji are over the limit")
    func utf16Units() throws {
        let rows = try Self.rows([[.inline(String(repeating: "😀", count: 16_383))], [.inline(String(repeating: "😀", count: 16_384))]])
        #expect(rows[0].problem == nil)
        #expect(rows[1].problem?.code == .tooLong)
        #expect(rows[1].fields[0].utf16.count <= 32_767)
    }

    @Test("A cell of megabytes keeps no more than the limit, whatever pieces it comes in")
    func hugeCell() throws {
        let huge = String(repeating: "abcdefgh", count: 1 << 17)  // 1 MiB
        for piece in [1_000, 1 << 20] {
            let rows = try Self.rows([[.inline("a"), .inline(huge)]], piece: piece)
            #expect(rows[0].problem?.code == .tooLong)
            #expect(rows[0].fields[1].utf8.count == 32_767)
        }
    }

    @Test("Escapes count as the character they stand for: 32,767 escaped carriage returns are within the limit")
    func escapes() throws {
        let rows = try Self.rows([[.inline(String(repeating: "_x000D_", count: 32_767))]])
        #expect(rows[0].problem == nil)
        #expect(rows[0].fields[0] == String(repeating: "\r", count: 32_767))
    }

    @Test("A row over 1 MiB of text in cells within the limit is rejected; its cells past the limit are not kept")
    func rowLimit() throws {
        let cell = String(repeating: "b", count: 30_000)
        let wide: [Cell] = [.inline("a")] + (0..<40).map { _ in .inline(cell) }
        let rows = try Self.rows([wide, [.inline("next")]])
        let problem = try #require(rows[0].problem)
        #expect(problem.code == .tooLong)
        #expect(problem.message.hasPrefix("row 1 holds more than 1024 KiB of text"), "\(problem.message)")
        #expect(rows[0].fields.reduce(0) { $0 + $1.utf8.count } <= 1 << 20)
        #expect(rows[1] == Row(number: 2, fields: ["next"]))
    }

    @Test("A shared string over the limit makes the rows that use it rejected, not the file")
    func sharedString() throws {
        var table = SharedStringTable()
        let added = [table.append("short"), table.append(String(repeating: "c", count: 40_000))]
        #expect(added == [true, true])
        #expect(table.isOverlong(1) && !table.isOverlong(0))
        #expect(table[1]?.utf8.count == 32_767)
        let rows = try Self.rows([[.shared(0), .shared(1)], [.shared(0)]], sharedStrings: table)
        #expect(rows[0].problem?.message.hasPrefix("row 1, column B: cell longer than") == true)
        #expect(rows[1].problem == nil)
    }

    @Test("A row number problem is kept over a cell problem of the same row")
    func firstProblemKept() throws {
        var made: [Row] = []
        let handler = SheetHandler(fileName: "t.xlsx", sharedStrings: SharedStringTable(), styles: [], uses1904Dates: false) {
            made.append($0)
        }
        try handler.didStart("row", attributes: ["r": "-5"])
        try handler.didStart("c", attributes: ["t": "str"])
        try handler.didStart("v", attributes: [:])
        handler.foundText(String(repeating: "d", count: 40_000))
        try handler.didEnd("v")
        try handler.didEnd("c")
        try handler.didEnd("row")
        #expect(made.first?.problem?.code == .rowNumber)
    }
}
