import Foundation
import LedgerDomain
import LedgerStore
import Testing

@Suite("Crash recovery", .serialized)
struct CrashRecoveryTests {
    @Test("a writer killed with SIGKILL at random moments loses no acknowledged event and leaves a verifiable ledger")
    func killNine() throws {
        let directory = NSTemporaryDirectory() + "ledger-crash-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var acknowledged = [(position: UInt64, id: EventID)]()
        var generator = SystemRandomNumberGenerator()
        for round in 0..<20 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Executables.path("ledger-stress"))
            process.arguments = [directory, String(round + 1)]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Kill at a random moment: sometimes during start-up, mostly mid-append.
            let delay = UInt32.random(in: 0...250_000, using: &generator)
            usleep(delay)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            // Only complete lines count: the last one may have been cut by the kill.
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            for line in lines where line.hasPrefix("ack ") {
                let parts = line.split(separator: " ")
                if parts.count == 3, let position = UInt64(parts[1]), let id = EventID(uuidString: String(parts[2])) {
                    acknowledged.append((position, id))
                }
            }
            let verify = try Executables.run("ledger", ["verify", "--store", directory])
            #expect(verify.status == 0, "round \(round): \(verify.stdout) \(verify.stderr)")
        }
        #expect(acknowledged.count > 100, "the writer should have committed events in most rounds")
        let ledger = try Ledger(directory: directory)
        defer { ledger.close() }
        for (position, id) in acknowledged {
            #expect(try ledger.position(of: id) == position)
        }
        let report = try ledger.verify()
        #expect(report.isValid, "\(report.faults)")
        #expect(report.lastPosition >= acknowledged.map(\.position).max() ?? 0)
    }
}
