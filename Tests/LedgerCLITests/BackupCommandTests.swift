import Foundation
import LedgerDomain
import LedgerStore
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

    /// Runs `ledger ARGUMENTS` with files limited to 64 KiB and SIGXFSZ ignored, so that a
    /// write past the limit fails (EFBIG) part-way through a copy.
    static func ledgerWithSmallFiles(_ arguments: [String]) throws -> Executables.Outcome {
        let quoted = ([Executables.path("ledger")] + arguments).map { "'" + $0 + "'" }
        // dash counts ulimit -f in 512-byte blocks.
        return try Executables.run("/bin/sh", ["-c", "trap '' XFSZ; ulimit -f 128 && exec " + quoted.joined(separator: " ")])
    }

    @Test("a backup or a restore that fails part-way leaves no partial copy at the destination or beside it")
    func failedCopiesLeaveNothing() throws {
        let root = NSTemporaryDirectory() + "ledger-backup-fail-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = root + "/store"
        do {
            let ledger = try Ledger(directory: store)
            defer { ledger.close() }
            // About a megabyte of log: far past the 64 KiB limit below.
            let events = (0..<2_000).map { index in
                NewEvent(type: EventType("test.happened", version: 1), actor: Actor(.user, "cli-test"), source: .cli(command: "test"), data: Array("event \(index) \(String(repeating: "x", count: 400))".utf8))
            }
            _ = try ledger.append(.newStream(events))
        }
        let failed = try Self.ledgerWithSmallFiles(["backup", root + "/copy", "--store", store])
        #expect(failed.status != 0)
        #expect(failed.stderr.contains("File too large"), "\(failed.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root) == ["store"], "no copy and no partial copy")

        let backup = try Executables.run("ledger", ["backup", root + "/copy", "--store", store])
        #expect(backup.status == 0, "\(backup.stderr)")
        let restore = try Self.ledgerWithSmallFiles(["restore", root + "/copy", "--store", store])
        #expect(restore.status != 0)
        #expect(restore.stderr.contains("File too large"), "\(restore.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root).sorted() == ["copy", "store"], "the restore's copy (keys/root included) is gone")
        let verify = try Executables.run("ledger", ["verify", "--store", store])
        #expect(verify.status == 0 && verify.stdout.contains("2000 events"), "the store is as it was: \(verify.stdout)")
    }
}
