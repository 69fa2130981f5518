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
            // Killed before it created the store's log (a loaded machine starts processes slowly):
            // nothing was acknowledged, and there is nothing to verify yet.
            if !FileManager.default.fileExists(atPath: directory + "/data.mdb") {
                #expect(acknowledged.isEmpty, "round \(round): acknowledged events but no store")
                continue
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

    @Test("a writer sealing with data keys and destroying keys, killed at random moments, loses no other key")
    func killNineDuringErasures() throws {
        let directory = NSTemporaryDirectory() + "ledger-crash-keys-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var shredded = Set<UInt64>()
        var begun = Set<UInt64>()
        var generator = SystemRandomNumberGenerator()
        for round in 0..<15 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Executables.path("ledger-stress"))
            process.arguments = [directory, String(round + 100), "--keys"]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32.random(in: 20_000...300_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
                let parts = line.split(separator: " ")
                guard parts.count == 2, let stream = UInt64(parts[1]) else { continue }
                if parts[0] == "shredding" { begun.insert(stream) }
                if parts[0] == "shredded" { shredded.insert(stream) }
            }
            // Killed before it created the store's log (a loaded machine starts processes slowly):
            // nothing was acknowledged, and there is nothing to verify yet.
            if !FileManager.default.fileExists(atPath: directory + "/data.mdb") {
                #expect(shredded.isEmpty && begun.isEmpty, "round \(round): erasures reported but no store")
                continue
            }
            let verify = try Executables.run("ledger", ["verify", "--store", directory])
            #expect(verify.status == 0, "round \(round): \(verify.stdout) \(verify.stderr)")
        }
        #expect(!shredded.isEmpty, "some erasures should have completed")
        let ledger = try Ledger(directory: directory)
        defer { ledger.close() }
        #expect(try ledger.verify().isValid)
        let keys = ledger.keyRing()
        var checked = 0
        for event in try ledger.read(from: 1, limit: 10_000_000) {
            if shredded.contains(event.stream.rawValue) {
                #expect(try keys.personalData(of: event) == nil, "stream \(event.stream) was shredded")
            } else if !begun.contains(event.stream.rawValue) {
                // Never touched by an erasure: its key must have survived every crash.
                #expect(try keys.personalData(of: event) == Array("secret of \(event.id)".utf8), "stream \(event.stream) lost its key")
                checked += 1
            }
        }
        #expect(checked > 100)
    }
}
