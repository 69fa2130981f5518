import Foundation
import Testing

/// `ledger serve --smtp` killed with SIGKILL around a mail, against a real SMTP server
/// (aiosmtpd, `tools/smtp-sink`): after a restart no mail is lost, at most the one in flight is
/// sent twice (with the same Message-ID), and the store verifies (decision 0021).
@Suite("The mail sender killed mid-mail", .serialized, .enabled(if: MailSink.isAvailable, MailSink.skipReason))
struct MailSenderCrashTests {
    /// A store with two contacts and a mail queued to each.
    final class Store {
        let path = NSTemporaryDirectory() + "ledger-mail-crash-\(UUID().uuidString)"

        deinit { try? FileManager.default.removeItem(atPath: path) }

        @discardableResult
        func ledger(_ arguments: String...) throws -> Executables.Outcome {
            let outcome = try Executables.run("ledger", arguments + ["--store", path], environment: ["LEDGER_DEFAULT_REGION": "UA", "USER": "tester"])
            #expect(outcome.status == 0, "ledger \(arguments.joined(separator: " ")): \(outcome.stderr)")
            return outcome
        }

        func mails() throws -> [[String: Any]] {
            let text = try ledger("mail", "list", "--json").stdout
            return try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] ?? []
        }

        func statuses() throws -> [String] {
            try mails().map { $0["status"] as? String ?? "?" }
        }
    }

    /// `ledger serve` with the sender on `sink`, its standard error in a file.
    final class Server {
        let process = Process()
        let log: String

        init(store: Store, sink: MailSink, pause: String?) throws {
            log = store.path + "-serve-\(UUID().uuidString).log"
            FileManager.default.createFile(atPath: log, contents: nil)
            process.executableURL = URL(fileURLWithPath: Executables.path("ledger"))
            process.arguments = ["serve", "--store", store.path, "--port", "0", "--smtp", "127.0.0.1:\(sink.port)",
                                 "--smtp-from", "Ledger News <news@ledger.test>", "--smtp-starttls", "off"]
            var environment = ProcessInfo.processInfo.environment
            environment.removeValue(forKey: "LEDGER_STORE")
            environment["LEDGER_TEST_MAIL_COMPOSER"] = "1"
            if let pause { environment["LEDGER_TEST_MAIL_PAUSE"] = pause } else { environment.removeValue(forKey: "LEDGER_TEST_MAIL_PAUSE") }
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle(forWritingAtPath: log)
            try process.run()
        }

        deinit {
            if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
            try? FileManager.default.removeItem(atPath: log)
        }

        var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

        /// Waits up to 60 s for `condition`.
        func wait(_ what: String, _ condition: () throws -> Bool) throws {
            for _ in 0..<600 {
                if try condition() { return }
                guard process.isRunning else { Issue.record("the server ended while waiting for \(what): \(output)"); return }
                usleep(100_000)
            }
            Issue.record("timed out waiting for \(what): \(output)")
        }

        func killNine() {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }

        /// SIGTERM; returns the exit status.
        func stop() -> Int32 {
            process.terminate()
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    static func prepare() throws -> Store {
        let store = Store()
        try store.ledger("contact", "add", "--email", "olena@example.com", "--first-name", "Olena")
        try store.ledger("contact", "add", "--email", "petro@example.com", "--first-name", "Petro")
        try store.ledger("mail", "queue", "olena@example.com", "--template", "notice:Підтвердіть підписку", "--reference", "tok-olena", "--purpose", "doi.confirmation")
        try store.ledger("mail", "queue", "petro@example.com", "--template", "notice:Please confirm", "--reference", "tok-petro", "--purpose", "doi.confirmation")
        return store
    }

    /// Restarts the server without a pause, waits until both mails are sent, stops it with SIGTERM.
    static func finish(_ store: Store, sink: MailSink) throws {
        let server = try Server(store: store, sink: sink, pause: nil)
        try server.wait("both mails sent") { try store.statuses() == ["sent", "sent"] }
        #expect(server.stop() == 0, "a graceful stop: \(server.output)")
        #expect(try store.ledger("verify").status == 0)
    }

    @Test("killed between queued and sent: after the restart every mail goes exactly once")
    func killedBeforeSend() throws {
        let store = try Self.prepare()
        let sink = try MailSink()
        let server = try Server(store: store, sink: sink, pause: "before-send")
        try server.wait("the pause before the first send") { server.output.contains("paused at before-send") }
        server.killNine()
        #expect(try sink.messages().isEmpty)
        #expect(try store.statuses() == ["pending", "pending"])
        #expect(try store.ledger("verify").status == 0)

        try Self.finish(store, sink: sink)
        let messages = try sink.messages()
        #expect(messages.count == 2, "\(messages.count) messages")
        #expect(Set(messages.compactMap { MailSink.header("To", in: $0) }) == ["olena@example.com", "petro@example.com"])
    }

    @Test("killed between the server's 250 and the record: that one mail goes twice, with one Message-ID; no mail is lost")
    func killedAfterAccepted() throws {
        let store = try Self.prepare()
        let sink = try MailSink()
        let server = try Server(store: store, sink: sink, pause: "after-accepted")
        try server.wait("the pause after the first 250") { server.output.contains("paused at after-accepted") }
        server.killNine()
        #expect(try sink.messages().count == 1)
        #expect(try store.statuses() == ["pending", "pending"], "the 250 was never recorded")
        #expect(try store.ledger("verify").status == 0)

        try Self.finish(store, sink: sink)
        let messages = try sink.messages()
        #expect(messages.count == 3, "the mail in flight twice, the other once: \(messages.count)")
        let ids = messages.compactMap { MailSink.header("Message-ID", in: $0) }
        #expect(ids.count == 3 && Set(ids).count == 2, "the repeat carries the first one's Message-ID: \(ids)")
        #expect(ids.first == ids.dropFirst().first, "the mail in flight is the one sent again first")
        let mails = try store.mails()
        #expect(mails.map { $0["attempts"] as? Int } == [1, 1])
    }
}

/// The SMTP sink (`tools/smtp-sink`, aiosmtpd) for the CLI's crash tests: a real server on a
/// free loopback port writing each message it accepts to a folder.
final class MailSink: @unchecked Sendable {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("tools/smtp-sink").path

    /// Whether the tests run: where `python3` has aiosmtpd, and always under `tools/test`
    /// (`LEDGER_REQUIRE_SMTP_SINK=1`), where a missing aiosmtpd must fail them.
    static let isAvailable: Bool = ProcessInfo.processInfo.environment["LEDGER_REQUIRE_SMTP_SINK"] == "1" || hasAiosmtpd

    static let hasAiosmtpd: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import aiosmtpd"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    static let skipReason: Comment = "no python3 with aiosmtpd here (tools/setup installs it); the mail crash tests are skipped"

    let directory = NSTemporaryDirectory() + "ledger-mail-sink-\(UUID().uuidString)"
    let port: Int
    private let process = Process()

    init() throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script, "--dir", directory]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var bytes = [UInt8]()
        while let chunk = try out.fileHandleForReading.read(upToCount: 1), let byte = chunk.first, byte != 0x0A { bytes.append(byte) }
        guard let port = Int(String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "listening on ", with: "")) else {
            process.terminate()
            throw CocoaError(.fileReadUnknown)
        }
        self.port = port
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The raw messages received, in order.
    func messages() throws -> [String] {
        guard FileManager.default.fileExists(atPath: directory) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".eml") }.sorted().map {
            try String(contentsOfFile: directory + "/" + $0, encoding: .utf8)
        }
    }

    static func header(_ name: String, in raw: String) -> String? {
        let head = raw.components(separatedBy: "\r\n\r\n").first ?? raw
        for line in head.replacingOccurrences(of: "\r\n ", with: " ").components(separatedBy: "\r\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == name.lowercased() { return parts[1].trimmingCharacters(in: .whitespaces) }
        }
        return nil
    }
}
