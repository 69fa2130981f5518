import Testing

@testable import LedgerImport

@Suite("Spreadsheet values")
struct ValueFormattingTests {
    @Test("1900 date system, including Excel's 29 February 1900", arguments: [
        (1.0, "1900-01-01"), (59, "1900-02-28"), (60, "1900-02-29"), (61, "1900-03-01"),
        (33010, "1990-05-17"), (45000, "2023-03-15"), (0, "1900-01-00"),
    ])
    func dates1900(serial: Double, expected: String) {
        #expect(SpreadsheetDate.render(serial: serial, kind: .date, uses1904Dates: false) == expected)
    }

    @Test("1904 date system, times and date-times")
    func datesAndTimes() {
        #expect(SpreadsheetDate.render(serial: 0, kind: .date, uses1904Dates: true) == "1904-01-01")
        #expect(SpreadsheetDate.render(serial: 31776, kind: .date, uses1904Dates: true) == "1990-12-31")
        #expect(SpreadsheetDate.render(serial: 0.75, kind: .time, uses1904Dates: false) == "18:00:00")
        #expect(SpreadsheetDate.render(serial: 45000.5, kind: .dateTime, uses1904Dates: false) == "2023-03-15T12:00:00")
        #expect(SpreadsheetDate.render(serial: 45000, kind: .dateTime, uses1904Dates: false) == "2023-03-15")
        #expect(SpreadsheetDate.render(serial: 45000.99999999, kind: .dateTime, uses1904Dates: false) == "2023-03-16")
        #expect(SpreadsheetDate.render(serial: -1, kind: .date, uses1904Dates: false) == nil)
    }

    @Test("Numbers without exponent or trailing .0", arguments: [
        ("380671234567", "380671234567"), ("3.80671234567E11", "380671234567"), ("380671234567.0", "380671234567"),
        ("12.50", "12.5"), ("1.5E-7", "0.00000015"), ("-42", "-42"), ("1E+20", "100000000000000000000"),
        ("1.2345678901234567E19", "12345678901234567000"), ("0.1", "0.1"), ("not a number", "not a number"),
    ])
    func plainNumbers(text: String, expected: String) {
        #expect(PlainNumber.render(text) == expected)
    }

    @Test("Built-in number formats that are dates or times")
    func builtInFormats() {
        #expect(CellNumberKind(formatID: 14, formatCode: nil) == .date)
        #expect(CellNumberKind(formatID: 22, formatCode: nil) == .dateTime)
        #expect(CellNumberKind(formatID: 46, formatCode: nil) == .time)
        #expect(CellNumberKind(formatID: 0, formatCode: nil) == .number)
        #expect(CellNumberKind(formatID: 49, formatCode: nil) == .number)
    }

    @Test("Custom formats: tokens outside quotes, brackets and escapes", arguments: [
        ("dd.mm.yyyy", CellNumberKind.date), ("[$-409]d\\ mmmm\\ yyyy;@", .date), ("mmm-yy", .date),
        ("yyyy-mm-dd hh:mm", .dateTime), ("[h]:mm:ss", .time), ("mm:ss", .time), ("h:mm AM/PM", .time),
        ("\"Day \"0", .number), ("0.00E+00", .number), ("#,##0 \"грн\"", .number), ("[Red]0.00", .number),
        ("General", .number), ("0\\d", .number), ("_(* #,##0_)", .number),
    ])
    func customFormats(code: String, expected: CellNumberKind) {
        #expect(CellNumberKind.classify(code) == expected)
    }

    @Test("Cell references and _xHHHH_ escapes")
    func referencesAndEscapes() {
        #expect(SpreadsheetText.column(ofReference: "A1") == 0)
        #expect(SpreadsheetText.column(ofReference: "AB12") == 27)
        #expect(SpreadsheetText.column(ofReference: "XFD1048576") == 16_383)
        #expect(SpreadsheetText.column(ofReference: "XFE1") == nil)
        #expect(SpreadsheetText.column(ofReference: "12") == nil)
        #expect(SpreadsheetText.columnLetters(27) == "AB")
        #expect(SpreadsheetText.decodingEscapes("a_x000D_b") == "a\rb")
        #expect(SpreadsheetText.decodingEscapes("keep_x00_ and _xZZZZ_") == "keep_x00_ and _xZZZZ_")
    }

    @Test("Relationship targets resolve against the workbook folder")
    func targets() {
        #expect(WorkbookLayout.resolve("worksheets/sheet1.xml", from: "xl/") == "xl/worksheets/sheet1.xml")
        #expect(WorkbookLayout.resolve("/xl/worksheets/sheet2.xml", from: "xl/") == "xl/worksheets/sheet2.xml")
        #expect(WorkbookLayout.resolve("../xl/sharedStrings.xml", from: "xl/") == "xl/sharedStrings.xml")
        #expect(WorkbookLayout.resolve("xl/workbook.xml", from: "") == "xl/workbook.xml")
    }
}
