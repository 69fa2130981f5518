import Foundation
import LedgerDomain
import LedgerStore
import Synchronization
import Testing

@Suite("Releasing mapped pages")
struct MappedPagesTests {
    /// Resident KiB of this process's mappings of `file`, from /proc/self/smaps.
    static func residentKiB(of file: String) throws -> Int {
        let handle = try #require(FileHandle(forReadingAtPath: "/proc/self/smaps"))
        defer { try? handle.close() }
        let smaps = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        var total = 0
        var inFile = false
        for line in smaps.split(separator: "\n") {
            let range = line.prefix { $0 != " " }
            if range.contains("-"), range.allSatisfy({ $0.isHexDigit || $0 == "-" }) {
                // A mapping's header: "start-end perms offset device inode path".
                inFile = line.hasSuffix(file)
            } else if inFile, line.hasPrefix("Rss:") {
                total += Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
            }
        }
        return total
    }

    @Test("the log's pages leave the resident set and read back intact")
    func release() throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(directory: directory.path)
        defer { ledger.close() }
        for batch in 0..<20 {
            _ = try ledger.append((0..<500).map { index in AppendRequest.newStream([testEvent(data: "event \(batch)-\(index)")]) })
        }
        let before = try ledger.read(from: 1, limit: .max)
        #expect(before.count == 10_000)
        let file = URL(fileURLWithPath: directory.path).resolvingSymlinksInPath().path + "/data.mdb"
        #expect(try Self.residentKiB(of: file) > 0, "reading the log maps its pages")

        ledger.releaseMappedPages()
        #expect(try Self.residentKiB(of: file) == 0)
        let after = try ledger.read(from: 1, limit: .max)
        #expect(after.map(\.id) == before.map(\.id))
        #expect(after.map(\.personalData) == before.map(\.personalData))
        #expect(try ledger.verify().isValid)
    }
}

extension MappedPagesTests {
    @Test("releasing again after reading, and after the map grew and moved, finds the map each time")
    func releaseAcrossGrowth() throws {
        let directory = TemporaryDirectory()
        // A 1 MiB map: the appends below outgrow it several times, and each growth maps anew.
        let ledger = try Ledger(directory: directory.path, options: Ledger.Options(initialMapSize: 1 << 20))
        defer { ledger.close() }
        let file = URL(fileURLWithPath: directory.path).resolvingSymlinksInPath().path + "/data.mdb"
        var expected = 0
        for round in 0..<4 {
            for batch in 0..<5 {
                _ = try ledger.append((0..<500).map { index in AppendRequest.newStream([testEvent(data: "event \(round)-\(batch)-\(index)")]) })
            }
            expected += 2_500
            let read = try ledger.read(from: 1, limit: .max)
            #expect(read.count == expected)
            #expect(try Self.residentKiB(of: file) > 0)
            ledger.releaseMappedPages()
            #expect(try Self.residentKiB(of: file) == 0, "round \(round)")
        }
        #expect(try ledger.verify().isValid)
    }
}

extension MappedPagesTests {
    @Test("a guard counts a projection's index operations and may release its map from inside its own write transaction")
    func guardInsideTransaction() throws {
        let directory = TemporaryDirectory()
        let store = try ProjectionStore(directory: directory.path, tables: ["items"])
        let table = try store.table("items")
        let file = URL(fileURLWithPath: directory.path).resolvingSymlinksInPath().path + "/data.mdb"
        let keys = (0..<20_000).map { index in Array("key-\((index &* 7919) % 20_000)".utf8) }
        try store.write { transaction in
            for key in keys {
                let inserted = try transaction.insert(table, key, Array(repeating: 7, count: 64))
                #expect(inserted)
            }
        }
        _ = try store.read { transaction in try keys.map { try transaction.get(table, $0) } }
        let mapped = try Self.residentKiB(of: file)
        #expect(mapped > 512, "reading the table maps its pages")

        let looks = Mutex(0)
        store.guardMappedPages(MappedPageGuard(every: 100) {
            looks.withLock { $0 += 1 }
            store.releaseMappedPages()
        })
        // Inserts, gets, puts, deletes and updated keys count; a release between two of them
        // leaves the transaction's reads and writes intact.
        try store.write { transaction in
            for key in keys.prefix(5_000) {
                let value = try transaction.get(table, key)
                #expect(value == Array(repeating: 7, count: 64))
            }
            for key in keys.prefix(2_000) { try transaction.put(table, key, [1]) }
            for key in keys.suffix(2_000) {
                let deleted = try transaction.delete(table, key)
                #expect(deleted)
            }
            try transaction.update(table, keys: keys.dropFirst(2_000).prefix(1_000).sorted { $0.lexicographicallyPrecedes($1) }) { _, stored in
                #expect(stored.map { Array($0) } == Array(repeating: 7, count: 64))
                return [2]
            }
        }
        #expect(looks.withLock { $0 } == 100, "10,000 operations, a look every 100")
        #expect(try Self.residentKiB(of: file) < mapped / 2, "the last look released the map")
        store.guardMappedPages(nil)
        let counted = looks.withLock { $0 }
        let values = try store.read { transaction in try keys.map { try transaction.get(table, $0) } }
        #expect(looks.withLock { $0 } == counted, "nothing counts once the guard is removed")
        #expect(values.prefix(2_000).allSatisfy { $0 == [1] })
        #expect(values.suffix(2_000).allSatisfy { $0 == nil })
        #expect(values.dropFirst(2_000).prefix(1_000).allSatisfy { $0 == [2] })
        #expect(values.dropFirst(3_000).dropLast(2_000).allSatisfy { $0 == Array(repeating: 7, count: 64) })
    }
}
