import Dispatch
import Foundation
import Testing

/// Standard output and standard error that cannot be written (`/dev/full`: every write fails
/// with ENOSPC, as on a full disk): the server keeps serving without its log, and a command
/// whose output is lost says so and exits 74 instead of trapping.
@Suite("Unwritable standard streams")
struct StandardStreamTests {
    /// A loopback port free when asked.
    static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        try #require(bound == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The status line of `GET path` on loopback `port`, or nil when nothing answers.
    static func get(_ path: String, port: Int) -> String? {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard connected == 0 else { return nil }
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        guard request.withCString({ send(socket, $0, strlen($0), 0) }) > 0 else { return nil }
        var response = [UInt8](repeating: 0, count: 4096)
        let count = recv(socket, &response, response.count, 0)
        guard count > 0 else { return nil }
        return String(decoding: response[0..<count], as: UTF8.self).components(separatedBy: "\r\n").first
    }

    @Test("ledger serve with standard error on a full device keeps answering, and stops cleanly", .timeLimit(.minutes(2)))
    func serverWithoutItsLog() async throws {
        try await PipelinedCommitsTests.offPool { try Self.serverWithoutItsLogBlocking() }
    }

    static func serverWithoutItsLogBlocking() throws {
        let store = NSTemporaryDirectory() + "ledger-full-stderr-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: store) }
        let port = try freePort()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: Executables.path("ledger"))
        server.arguments = ["serve", "--store", store, "--port", String(port), "--segment-refresh", "0"]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle(forWritingAtPath: "/dev/full")
        try server.run()
        defer { if server.isRunning { kill(server.processIdentifier, SIGKILL) } }
        let deadline = Date().addingTimeInterval(60)
        while get("/healthz", port: port) == nil, server.isRunning, Date() < deadline { usleep(20_000) }
        // Every request writes a log line that fails; before, the first such write trapped.
        for _ in 0..<20 {
            #expect(get("/healthz", port: port) == "HTTP/1.1 200 OK")
        }
        #expect(get("/api/v1/contacts/1", port: port) == "HTTP/1.1 401 Unauthorized")
        #expect(server.isRunning)
        kill(server.processIdentifier, SIGTERM)
        server.waitUntilExit()
        #expect(server.terminationReason == .exit && server.terminationStatus == 0)
    }

    @Test("a command whose standard output is a full device says so on standard error and exits 74")
    func outputLost() async throws {
        try await PipelinedCommitsTests.offPool {
            let store = NSTemporaryDirectory() + "ledger-full-stdout-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: store) }
            let file = store + ".csv"
            defer { try? FileManager.default.removeItem(atPath: file) }
            try Data("Email\nana@example.com\n".utf8).write(to: URL(fileURLWithPath: file))
            #expect(try Executables.run("ledger", ["import", file, "--store", store]).status == 0)
            let command = Process()
            command.executableURL = URL(fileURLWithPath: Executables.path("ledger"))
            command.arguments = ["stats", "--store", store]
            command.standardOutput = FileHandle(forWritingAtPath: "/dev/full")
            let errors = Pipe()
            command.standardError = errors
            try command.run()
            let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            command.waitUntilExit()
            #expect(command.terminationReason == .exit && command.terminationStatus == 74)
            #expect(said.contains("ledger: cannot write to standard output: No space left on device"))
        }
    }
}
