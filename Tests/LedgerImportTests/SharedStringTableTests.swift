import Testing

@testable import LedgerImport

@Suite("Shared string table")
struct SharedStringTableTests {
    /// A table holding `strings`, each appended whole.
    static func table(_ strings: [String]) -> SharedStringTable {
        var table = SharedStringTable()
        for string in strings {
            let appended = table.append(string)
            #expect(appended)
        }
        return table
    }

    @Test("Strings come back as given: empty, Cyrillic, CJK, emoji sequences, combining marks")
    func roundTrip() {
        let strings = ["", "olena@example.com", "Олена Коваленко", "", "東京", "👩‍💻", "e\u{301}", "a", ""]
        let table = Self.table(strings)
        #expect(table.count == strings.count)
        #expect(table.byteCount == strings.reduce(0) { $0 + $1.utf8.count })
        for (index, string) in strings.enumerated() {
            #expect(table[index] == string)
        }
    }

    @Test("Reserving room for a part changes nothing that is read back, also past the reservation")
    func reserved() {
        var table = SharedStringTable()
        table.reserveCapacity(forPartBytes: 40)
        let strings = (0..<100).map { "рядок \($0) row" }
        let added = strings.map { table.append($0) }
        #expect(added.allSatisfy { $0 })
        #expect((0..<100).map { table[$0] } == strings)
    }

    @Test("Indexes outside the table give nil")
    func outOfRange() {
        let table = Self.table(["one", "two"])
        #expect(table[-1] == nil)
        #expect(table[2] == nil)
        #expect(SharedStringTable()[0] == nil)
    }

    @Test("A string may arrive in pieces, and the pieces of an unfinished one can be dropped")
    func pieces() {
        var table = SharedStringTable()
        table.appendToCurrent("Ков")
        table.appendToCurrent("")
        table.appendToCurrent("аленко")
        let firstEnded = table.endString()
        table.appendToCurrent("stray text")
        table.discardCurrent()
        table.discardCurrent()
        let secondEnded = table.endString()
        #expect(firstEnded && secondEnded)
        #expect(table.count == 2)
        #expect(table[0] == "Коваленко")
        #expect(table[1] == "")
    }

    @Test("_xHHHH_ escapes are decoded when a string ends, also across pieces")
    func escapes() {
        var table = SharedStringTable()
        table.appendToCurrent("carriage_x00")
        table.appendToCurrent("0D_return")
        let added = [table.endString(), table.append("ґ_x005F_x0041_"), table.append("no_escape_x"), table.append("після")]
        #expect(added == [true, true, true, true])
        #expect(table[0] == "carriage\rreturn")
        #expect(table[1] == "ґ_x0041_")
        #expect(table[2] == "no_escape_x")
        #expect(table[3] == "після")
        #expect(table.byteCount == "carriage\rreturnґ_x0041_no_escape_xпісля".utf8.count)
    }
}

@Suite("Shared string table: limits")
struct SharedStringTableLimitTests {
    @Test("More strings than the table takes fail to end; the handler then names the limit")
    func count() {
        var table = SharedStringTable(maxStrings: 2, maxBytes: 100)
        let added = [table.append("a"), table.append("b"), table.append("c")]
        #expect(added == [true, true, false])
        #expect(!table.hasTooMuchText)
        #expect(table.count == 2)
    }

    @Test("More text than the table takes is not kept, and the string fails to end")
    func bytes() {
        var table = SharedStringTable(maxStrings: 100, maxBytes: 10)
        let first = table.append("12345")
        table.appendToCurrent("123456")
        let second = table.endString()
        #expect(first && !second)
        #expect(table.hasTooMuchText)
        #expect(table.byteCount == 5)
    }

    @Test("A string over the cell limit is kept cut and marked; its neighbours are not")
    func overlong() {
        var table = SharedStringTable()
        let before = table.append("before")
        for _ in 0..<1_000 { table.appendToCurrent(String(repeating: "é", count: 500)) }
        let long = table.endString()
        let after = table.append("after")
        #expect(before && long && after)
        #expect(table.count == 3)
        #expect(table.isOverlong(1))
        #expect(!table.isOverlong(0) && !table.isOverlong(2))
        #expect(table[1]?.utf16.count == 32_767)
        #expect(table[2] == "after")
    }

    @Test("The default limits are the documented ones")
    func defaults() {
        let table = SharedStringTable()
        #expect(table.maxStrings == 16_777_216)
        #expect(table.maxBytes == 512 * 1024 * 1024)
    }
}
