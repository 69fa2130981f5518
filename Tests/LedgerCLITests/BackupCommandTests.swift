import Foundation
import Testing

@Suite("ledger backup and restore", .serialized)
struct BackupCommandTests {
    @Test("backup verifies its copy; restore refuses a store in use and otherwise replaces it")
    func backupAndRestore() throws {
        let root = NSTemporaryDirectory() + "ledger-backup-cli-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = try LedgerCLITests.makeStore(events: 12)
        defer { try? FileManager.default.removeItem(atPath: store) }
        let backup = try Executables.run("ledger", ["backup", root + "/copy", "--store", store])
        #expect(backup.status == 0, "\(backup.stderr)")
        #expect(backup.stdout.hasPrefix("backed up 12 events to \(root)/copy (verified"))

        // A writer holds the store open: the restore must be refused.
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: Executables.path("ledger-stress"))
        writer.arguments = [store, "3"]
        writer.standardOutput = FileHandle.nullDevice
        try writer.run()
        usleep(300_000)
        let refused = try Executables.run("ledger", ["restore", root + "/copy", "--store", store])
        kill(writer.processIdentifier, SIGKILL)
        writer.waitUntilExit()
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("in use"), "\(refused.stderr)")

        let restored = try Executables.run("ledger", ["restore", root + "/copy", "--store", store])
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(restored.stdout.contains("the replaced store was kept in \(store).replaced-"))
        let stats = try JSONSerialization.jsonObject(with: Data(try Executables.run("ledger", ["stats", "--json", "--store", store]).stdout.utf8)) as? [String: Any]
        #expect(stats?["events"] as? Int == 12)
        for leftover in (try? FileManager.default.contentsOfDirectory(atPath: (store as NSString).deletingLastPathComponent)) ?? []
        where leftover.hasPrefix((store as NSString).lastPathComponent + ".replaced-") {
            try? FileManager.default.removeItem(atPath: (store as NSString).deletingLastPathComponent + "/" + leftover)
        }
    }
}
