import Foundation
import Testing

/// A real SMTP server for the tests: `tools/smtp-sink` (Python's aiosmtpd) on a free port of
/// loopback, writing what it accepts to a folder the test reads. Tests that need it are skipped,
/// with a message saying so, where no Python has aiosmtpd (`tools/setup` installs it).
final class SMTPSink: @unchecked Sendable {
    /// The script, found from this file's place in the checkout.
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("tools/smtp-sink").path

    /// A Python 3 that imports aiosmtpd, or nil.
    static let python: String? = {
        for candidate in ["/usr/bin/env python3", "/usr/bin/python3"] {
            let parts = candidate.split(separator: " ").map(String.init)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: parts[0])
            process.arguments = Array(parts.dropFirst()) + ["-c", "import aiosmtpd"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            guard (try? process.run()) != nil else { continue }
            process.waitUntilExit()
            if process.terminationStatus == 0 { return candidate }
        }
        return nil
    }()

    /// Whether the sink tests run: where aiosmtpd is, and always under `tools/test`
    /// (`LEDGER_REQUIRE_SMTP_SINK=1`), where a missing aiosmtpd must fail them, not skip them.
    static var isAvailable: Bool { python != nil || ProcessInfo.processInfo.environment["LEDGER_REQUIRE_SMTP_SINK"] == "1" }
    /// Why tests that need it are skipped.
    static let skipReason: Comment = "no Python 3 with aiosmtpd here (tools/setup installs it: Debian python3-aiosmtpd or PyPI aiosmtpd); the live SMTP tests are skipped"

    let directory: String
    let port: Int
    private let process: Process

    /// Starts a sink with the script's `arguments` (e.g. `--refuse-first 1`), on `port` (0: any).
    init(_ arguments: [String] = [], port: Int = 0, directory: String? = nil) throws {
        guard let python = Self.python else { throw SinkError("aiosmtpd is not installed") }
        self.directory = directory ?? NSTemporaryDirectory() + "ledger-smtp-sink-\(UUID().uuidString)"
        let parts = python.split(separator: " ").map(String.init)
        process = Process()
        process.executableURL = URL(fileURLWithPath: parts[0])
        process.arguments = Array(parts.dropFirst()) + [Self.script, "--dir", self.directory, "--port", String(port)] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.standardError
        try process.run()
        // The first line says the port; read it on a Dispatch thread with a deadline.
        let line = DispatchGroup()
        final class Box: @unchecked Sendable { var text = "" }
        let box = Box()
        line.enter()
        DispatchQueue.global().async {
            var bytes = [UInt8]()
            while let byte = try? out.fileHandleForReading.read(upToCount: 1), let first = byte.first, first != 0x0A { bytes.append(first) }
            box.text = String(decoding: bytes, as: UTF8.self)
            line.leave()
        }
        guard line.wait(timeout: .now() + 20) == .success, let found = Int(box.text.replacingOccurrences(of: "listening on ", with: "")) else {
            process.terminate()
            throw SinkError("the SMTP sink did not start: \(box.text)")
        }
        self.port = found
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Stops the server (the folder stays until the sink goes).
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    /// One received message: its raw text and its envelope.
    struct Message {
        let raw: String
        let mailFrom: String
        let recipients: [String]
        let tls: Bool
        let authenticated: Bool

        /// The value of header `name` (unfolded), or nil.
        func header(_ name: String) -> String? {
            let head = raw.components(separatedBy: "\r\n\r\n").first ?? raw
            let unfolded = head.replacingOccurrences(of: "\r\n ", with: " ").replacingOccurrences(of: "\r\n\t", with: " ")
            for line in unfolded.components(separatedBy: "\r\n") {
                let parts = line.split(separator: ":", maxSplits: 1)
                if parts.count == 2, parts[0].lowercased() == name.lowercased() { return parts[1].trimmingCharacters(in: .whitespaces) }
            }
            return nil
        }
    }

    /// Every message received so far, in order.
    func messages() throws -> [Message] {
        guard FileManager.default.fileExists(atPath: directory) else { return [] }
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".eml") }.sorted()
        return try names.map { name in
            let base = directory + "/" + name.dropLast(4)
            let raw = String(decoding: try Data(contentsOf: URL(fileURLWithPath: base + ".eml")), as: UTF8.self)
            let envelope = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: base + ".json"))) as? [String: Any] ?? [:]
            return Message(
                raw: raw, mailFrom: envelope["mailFrom"] as? String ?? "", recipients: envelope["rcptTos"] as? [String] ?? [],
                tls: envelope["tls"] as? Bool ?? false, authenticated: envelope["authenticated"] as? Bool ?? false)
        }
    }

    /// A self-signed certificate for `localhost` and 127.0.0.1 made with openssl in `folder`:
    /// (certificate, key).
    static func certificate(in folder: String) throws -> (String, String) {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", folder + "/key.pem", "-out", folder + "/cert.pem",
                             "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw SinkError("openssl could not make a certificate") }
        return (folder + "/cert.pem", folder + "/key.pem")
    }
}

struct SinkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
