import Testing

@testable import LedgerImport

@Suite("Sheet handler")
struct SheetHandlerTests {
    @Test("The digits fast path reads 1 to 15 ASCII digits and leaves everything else to Int()", arguments: [
        ("0", 0), ("7", 7), ("007", 7), ("1048576", 1_048_576), ("999999999999999", 999_999_999_999_999),
    ])
    func digits(text: String, expected: Int) {
        #expect(SheetHandler.digits(text) == expected)
    }

    @Test("Anything but plain digits takes the slow path", arguments: [
        "", " 1", "1 ", "-1", "+1", "1.0", "1e3", "٣", "1234567890123456",
    ])
    func notDigits(text: String) {
        #expect(SheetHandler.digits(text) == nil)
    }

    /// The rows a `SheetHandler` makes of one numeric cell per row, fed as XMLParser's events.
    static func rows(
        styles: [CellNumberKind], uses1904Dates: Bool, cells: [(style: Int, value: String)]
    ) throws -> [Row] {
        var rows: [Row] = []
        let handler = SheetHandler(
            fileName: "test.xlsx", sharedStrings: SharedStringTable(), styles: styles, uses1904Dates: uses1904Dates
        ) { rows.append($0) }
        for (index, cell) in cells.enumerated() {
            try handler.didStart("row", attributes: ["r": "\(index + 1)"])
            try handler.didStart("c", attributes: ["r": "A\(index + 1)", "s": "\(cell.style)"])
            try handler.didStart("v", attributes: [:])
            handler.foundText(cell.value)
            try handler.didEnd("v")
            try handler.didEnd("c")
            try handler.didEnd("row")
        }
        return rows
    }

    @Test("Whole-day serials, rendered once and then remembered, read as SpreadsheetDate renders them")
    func rememberedDates() throws {
        let styles: [CellNumberKind] = [.number, .date, .dateTime, .time]
        let serials = ["0", "1", "59", "60", "61", "33010", "45000", "2958465", "2958466", "45000.5", "1e3"]
        for uses1904Dates in [false, true] {
            var cells: [(style: Int, value: String)] = []
            for _ in 0..<2 {
                for style in styles.indices {
                    for serial in serials { cells.append((style, serial)) }
                }
            }
            let rows = try Self.rows(styles: styles, uses1904Dates: uses1904Dates, cells: cells)
            let expected = cells.map { cell in
                let kind = styles[cell.style]
                let date = Double(cell.value).flatMap {
                    SpreadsheetDate.render(serial: $0, kind: kind, uses1904Dates: uses1904Dates)
                }
                return date ?? PlainNumber.render(cell.value)
            }
            #expect(rows.map { $0.fields.first ?? "" } == expected)
        }
    }

    /// The rows a `SheetHandler` makes of rows with these `r` attributes (nil: none), one cell each.
    static func rows(numbered references: [String?]) throws -> [Row] {
        var rows: [Row] = []
        let handler = SheetHandler(
            fileName: "test.xlsx", sharedStrings: SharedStringTable(), styles: [], uses1904Dates: false
        ) { rows.append($0) }
        for (index, reference) in references.enumerated() {
            try handler.didStart("row", attributes: reference.map { ["r": $0] } ?? [:])
            try handler.didStart("c", attributes: ["t": "inlineStr"])
            try handler.didStart("is", attributes: [:])
            try handler.didStart("t", attributes: [:])
            handler.foundText("v\(index)")
            try handler.didEnd("t")
            try handler.didEnd("is")
            try handler.didEnd("c")
            try handler.didEnd("row")
        }
        return rows
    }

    @Test("Rows are numbered 1 to 4,294,967,295 in increasing order; any other number is a problem of that row, and none is lost")
    func rowNumbers() throws {
        let rows = try Self.rows(numbered: [
            "1", nil, "3", "3", "2", "0", "-5", "+7", "99999999999999999999", "9223372036854775807", " 8", "", "1048576", nil,
        ])
        #expect(rows.map { $0.fields } == (0..<14).map { ["v\($0)"] }, "every row comes out, in order")
        // A row without `r` after Excel's last row is the next one: the format goes on.
        #expect(rows.map(\.number) == [1, 2, 3, 3, 3, 3, 3, 7, 7, 7, 7, 7, 1_048_576, 1_048_577])
        #expect(rows.map { $0.problem == nil } == [true, true, true, false, false, false, false, true, false, false, false, false, true, true])
        #expect(rows.allSatisfy { $0.problem == nil || $0.problem?.code == .rowNumber })
    }

    @Test("Local names drop any prefix")
    func localNames() {
        #expect(XMLPartParser.localName("row") == "row")
        #expect(XMLPartParser.localName("x:row") == "row")
        #expect(XMLPartParser.localName("a:b:c") == "c")
        #expect(XMLPartParser.localName("x:") == "")
        #expect(XMLPartParser.localName("ж:т") == "т")
    }
}
