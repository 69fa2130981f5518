import Foundation
import LedgerDomain
import LedgerStore
import Testing

@Suite("Backup and restore")
struct BackupTests {
    @Test("a backup taken while appends run is consistent, verifies, and restores")
    func backupDuringAppends() async throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(directory: directory.sub("live"))
        _ = try await ledger.append((0..<20).map { _ in .newStream([testEvent(data: "first")]) })
        let writer = Task {
            for index in 0..<200 {
                _ = try await ledger.append((0..<20).map { _ in .newStream([testEvent(data: "event \(index)")]) })
            }
        }
        try await Task.sleep(for: .milliseconds(30))
        try ledger.backup(to: directory.sub("backup"))
        try await writer.value
        let total = try ledger.lastPosition()
        ledger.close()

        let backup = try Ledger(directory: directory.sub("backup"))
        let report = try backup.verify()
        #expect(report.isValid, "\(report.faults)")
        #expect(report.events > 0 && report.events <= total)
        backup.close()

        // Restore over the live store: the old one is moved aside, the backup verifies in place.
        let replaced = try Ledger.restore(from: directory.sub("backup"), to: directory.sub("live"))
        #expect(replaced != nil)
        let restored = try Ledger(directory: directory.sub("live"))
        defer { restored.close() }
        #expect(try restored.verify().events == report.events)
        #expect(try restored.verify().headHash == report.headHash)
    }

    @Test("a restore is refused while the store is open, and a corrupt backup is refused")
    func refusals() throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(directory: directory.sub("live"))
        _ = try ledger.append(.newStream([testEvent()]))
        try ledger.backup(to: directory.sub("backup"))
        let inUse = #expect(throws: LedgerError.self) { try Ledger.restore(from: directory.sub("backup"), to: directory.sub("live")) }
        #expect(inUse?.message.contains("in use") == true)
        ledger.close()
        #expect(throws: LedgerError.self) { try Ledger.restore(from: directory.sub("nothing"), to: directory.sub("live")) }
        #expect(throws: LedgerError.self) { try ledger.backup(to: directory.sub("backup")) }
    }

    @Test("restores in the same second keep each replaced store under its own name and leave no copy behind")
    func restoresInOneSecond() throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(directory: directory.sub("live"))
        _ = try ledger.append(.newStream([testEvent()]))
        try ledger.backup(to: directory.sub("backup"))
        ledger.close()
        var replaced = [String]()
        for _ in 0..<3 {
            replaced.append(try #require(try Ledger.restore(from: directory.sub("backup"), to: directory.sub("live"))))
        }
        #expect(Set(replaced).count == 3)
        for path in replaced {
            #expect(path.hasPrefix(directory.sub("live.replaced-")))
            #expect(FileManager.default.fileExists(atPath: path + "/data.mdb"))
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(names.count == 5, "live, backup and three replaced stores, nothing else: \(names)")
        let restored = try Ledger(directory: directory.sub("live"))
        defer { restored.close() }
        #expect(try restored.verify().events == 1)
    }

    @Test("a backup goes only into a new or empty folder, appears there verified, and leaves nothing else")
    func backupDestination() throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(directory: directory.sub("live"))
        defer { ledger.close() }
        _ = try ledger.append(.newStream([testEvent()]))
        try FileManager.default.createDirectory(atPath: directory.sub("empty"), withIntermediateDirectories: false)
        #expect(try ledger.backup(to: directory.sub("empty")).events == 1)
        #expect(try ledger.backup(to: directory.sub("nested/new/")).isValid, "parents are made; a trailing slash names the folder")
        #expect(FileManager.default.fileExists(atPath: directory.sub("nested/new/keys/root")))
        try FileManager.default.createDirectory(atPath: directory.sub("busy"), withIntermediateDirectories: false)
        try Data("notes".utf8).write(to: URL(fileURLWithPath: directory.sub("busy/notes.txt")))
        let busy = #expect(throws: LedgerError.self) { try ledger.backup(to: directory.sub("busy")) }
        #expect(busy?.message.contains("is not empty") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.sub("busy")) == ["notes.txt"])
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(names == ["busy", "empty", "live", "nested"], "no partial copy is left beside them")
    }
}
