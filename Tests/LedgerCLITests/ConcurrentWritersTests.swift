import Foundation
import Testing

@Suite("Contact writers in several processes", .serialized)
struct ConcurrentWritersTests {
    @Test("processes adding the same new e-mail at the same moment make one contact, not several")
    func sameNewEmail() throws {
        let store = ContactFixtures.newStorePath()
        defer { try? FileManager.default.removeItem(atPath: store) }
        // A first write creates the store and its projection, so the racers start together.
        _ = try Executables.run("ledger", ["contact", "add", "--email", "first@example.com", "--store", store])
        for round in 0..<8 {
            let email = "same\(round)@example.com"
            let processes = try (0..<6).map { index -> Process in
                let process = Process()
                process.executableURL = URL(fileURLWithPath: Executables.path("ledger"))
                process.arguments = ["contact", "add", "--email", email, "--field", "racer=\(index)", "--store", store]
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                return process
            }
            for process in processes { try process.run() }
            for process in processes { process.waitUntilExit() }
            let export = try Executables.run("ledger", ["export", "contacts", "--store", store])
            let holders = export.stdout.split(separator: "\n").filter { $0.contains("\"email\":\"\(email)\"") }
            #expect(holders.count == 1, "round \(round): \(holders.count) contacts hold \(email)")
        }
        let check = try Executables.run("ledger", ["verify", "--projections", "--store", store])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    }
}
