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
}
