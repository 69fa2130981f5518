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
