import Testing

@testable import LedgerImport

/// The limits both workbook readers (.xlsx and .xls) hold rows to.
@Suite("Workbook row limits")
struct WorkbookRowLimitsTests {
    @Test("Cells within the limit pass unchanged and the row has no problem")
    func within() {
        var limits = WorkbookRowLimits(row: 7)
        #expect(limits.admit("olena@example.com", column: 0) == "olena@example.com")
        #expect(limits.admit(String(repeating: "ж", count: 32_767), column: 1)?.count == 32_767)
        #expect(limits.problem == nil)
    }

    @Test("A cell over 32,767 characters (a BIFF8 string may hold 65,535) is cut, and the row names it; the first problem stays")
    func cellOver() {
        var limits = WorkbookRowLimits(row: 7)
        #expect(limits.admit(String(repeating: "a", count: 65_535), column: 27)?.utf16.count == 32_767)
        #expect(limits.admit(String(repeating: "b", count: 40_000), column: 28)?.utf16.count == 32_767)
        #expect(limits.problem?.code == .tooLong)
        #expect(limits.problem?.message.hasPrefix("row 7, column AB: cell longer than 32,767 characters") == true)
    }

    @Test("A cell the reader already cut counts as over the limit, however long what is left")
    func alreadyCut() {
        var limits = WorkbookRowLimits(row: 2)
        #expect(limits.admit("abc", column: 0, isCut: true) == "abc")
        #expect(limits.problem?.code == .tooLong)
    }

    @Test("Past 1 MiB of values, further cells are left out and the row is rejected")
    func rowOver() {
        var limits = WorkbookRowLimits(row: 3)
        let cell = String(repeating: "c", count: 30_000)
        let kept = (0..<40).compactMap { limits.admit(cell, column: $0) }
        #expect(kept.count == (1 << 20) / 30_000)
        #expect(limits.admit("x", column: 41) == nil)
        #expect(limits.problem?.message.hasPrefix("row 3 holds more than 1024 KiB of text") == true)
    }
}
