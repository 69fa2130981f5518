import Foundation
import Testing

/// `ledger serve`'s options refused before anything is opened or served.
@Suite("serve options")
struct ServeOptionsTests {
    @Test("--trusted-proxy that is not an address or CIDR network: exit 64 naming the value; the store is not made")
    func badTrustedProxy() throws {
        let store = NSTemporaryDirectory() + "ledger-serve-options-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: store) }
        let outcome = try Executables.run("ledger", ["serve", "--store", store, "--port", "0", "--trusted-proxy", "10.0.0.0/8", "--trusted-proxy", "proxy.internal"], timeout: 60)
        #expect(outcome.status == 64, "\(outcome.output)")
        #expect(outcome.stderr.contains("--trusted-proxy proxy.internal is not an IP address or a CIDR network"), "\(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: store))
    }
}
