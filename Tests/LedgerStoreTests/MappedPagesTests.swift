import Foundation
import LedgerDomain
import LedgerStore
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
