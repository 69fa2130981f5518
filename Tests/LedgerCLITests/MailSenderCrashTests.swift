import Foundation
import Testing

/// `ledger serve --smtp` killed with SIGKILL around a mail, against a real SMTP server
/// (aiosmtpd, `tools/smtp-sink`): after a restart no mail is lost, at most the one in flight is
/// sent twice (with the same Message-ID), and the store verifies (decision 0021).
///
/// The kill points are deterministic: `LEDGER_TEST_MAIL_PAUSE` stops the sender at the point
/// and it logs that it did; the test kills it only then. Every wait has a wall-clock deadline
/// and every child is killed by its pid, so a fault fails the test instead of hanging the run.
@Suite("The mail sender killed mid-mail", .serialized, .enabled(if: MailSink.isAvailable, MailSink.skipReason))
struct MailSenderCrashTests {
    /// A store with two contacts and a mail queued to each.
    final class Store {
        let path = NSTemporaryDirectory() + "ledger-mail-crash-\(UUID().uuidString)"

        deinit { try? FileManager.default.removeItem(atPath: path) }

        /// Runs `ledger ARGUMENTS --store PATH`, killed after 60 s.
        @discardableResult
        func ledger(_ arguments: String...) throws -> Executables.TimedOutcome {
            let outcome = try Executables.run("ledger", arguments + ["--store", path], timeout: 60, environment: ["LEDGER_DEFAULT_REGION": "UA", "USER": "tester"])
            #expect(outcome.status == 0 && !outcome.timedOut, "ledger \(arguments.joined(separator: " ")): \(outcome.stderr)")
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
            process.arguments = ["serve", "--store", store.path, "--port", "0", "--segment-refresh", "0", "--smtp", "127.0.0.1:\(sink.port)",
                                 "--smtp-from", "Ledger News <news@ledger.test>", "--smtp-starttls", "off"]
            var environment = ProcessInfo.processInfo.environment
            environment.removeValue(forKey: "LEDGER_STORE")
            environment["LEDGER_TEST_MAIL_COMPOSER"] = "1"
            environment["SWIFT_BACKTRACE"] = "enable=no"
            if let pause { environment["LEDGER_TEST_MAIL_PAUSE"] = pause } else { environment.removeValue(forKey: "LEDGER_TEST_MAIL_PAUSE") }
            process.environment = environment
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle(forWritingAtPath: log)
            try process.run()
        }

        deinit {
            if process.isRunning { killNine() }
            try? FileManager.default.removeItem(atPath: log)
        }

        var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

        /// Waits up to `seconds` for `condition`; false (and an issue recorded) when it never
        /// held or the server ended first.
        @discardableResult
        func wait(_ what: String, seconds: Double = 45, _ condition: () throws -> Bool) throws -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if try condition() { return true }
                guard process.isRunning else {
                    Issue.record("the server ended while waiting for \(what): \(output)")
                    return false
                }
                usleep(100_000)
            }
            Issue.record("timed out after \(Int(seconds)) s waiting for \(what): \(output)")
            return false
        }

        /// SIGKILL, and waits (at most 10 s) until the kernel has reaped it.
        func killNine() {
            kill(process.processIdentifier, SIGKILL)
            Self.reap(process, seconds: 10)
        }

        /// SIGTERM: a graceful stop, given 30 s before SIGKILL; the exit status, nil when it
        /// had to be killed.
        func stop() -> Int32? {
            process.terminate()
            if Self.reap(process, seconds: 30) { return process.terminationStatus }
            Issue.record("the server did not stop within 30 s of SIGTERM: \(output)")
            killNine()
            return nil
        }

        /// Polls until `process` has ended (no unbounded `waitUntilExit`); whether it did.
        @discardableResult
        static func reap(_ process: Process, seconds: Double) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            guard !process.isRunning else { return false }
            process.waitUntilExit()
            return true
        }
    }

    static func prepare() throws -> Store {
        let store = Store()
        try store.ledger("contact", "add", "--email", "olena@example.com", "--first-name", "Olena")
        try store.ledger("contact", "add", "--email", "petro@example.com", "--first-name", "Petro")
        try store.ledger("mail", "queue", "olena@example.com", "--template", "notice:Підтвердіть підписку", "--reference", "tok-olena", "--purpose", "doi.confirmation")
        try store.ledger("mail", "queue", "petro@example.com", "--template", "notice:Please confirm", "--reference", "tok-petro", "--purpose", "doi.confirmation")
        #expect(try store.statuses() == ["pending", "pending"])
        return store
    }

    /// Restarts the server without a pause, waits until both mails are sent, stops it with SIGTERM.
    static func finish(_ store: Store, sink: MailSink) throws {
        let server = try Server(store: store, sink: sink, pause: nil)
        try server.wait("both mails sent") { try store.statuses() == ["sent", "sent"] }
        #expect(server.stop() == 0, "a graceful stop: \(server.output)")
        #expect(try store.ledger("verify").status == 0)
    }

    @Test("killed between queued and sent: after the restart every mail goes exactly once", .timeLimit(.minutes(2)))
    func killedBeforeSend() throws {
        let store = try Self.prepare()
        let sink = try MailSink()
        let server = try Server(store: store, sink: sink, pause: "before-send")
        guard try server.wait("the pause before the first send", { server.output.contains("paused at before-send") }) else { return }
        server.killNine()
        #expect(try sink.messages().isEmpty)
        #expect(try store.statuses() == ["pending", "pending"])
        #expect(try store.ledger("verify").status == 0)

        try Self.finish(store, sink: sink)
        let messages = try sink.messages()
        #expect(messages.count == 2, "\(messages.count) messages")
        #expect(Set(messages.compactMap { MailSink.header("To", in: $0) }) == ["olena@example.com", "petro@example.com"])
        #expect(Set(messages.compactMap { MailSink.header("Message-ID", in: $0) }).count == 2)
        #expect(try store.mails().map { $0["attempts"] as? Int } == [1, 1])
    }

    @Test("killed between the server's 250 and the record: that one mail goes twice, with one Message-ID; no mail is lost", .timeLimit(.minutes(2)))
    func killedAfterAccepted() throws {
        let store = try Self.prepare()
        let sink = try MailSink()
        let server = try Server(store: store, sink: sink, pause: "after-accepted")
        guard try server.wait("the pause after the first 250", { server.output.contains("paused at after-accepted") }) else { return }
        server.killNine()
        let first = try sink.messages()
        #expect(first.count == 1)
        #expect(try store.statuses() == ["pending", "pending"], "the 250 was never recorded")
        #expect(try store.ledger("verify").status == 0)

        try Self.finish(store, sink: sink)
        let messages = try sink.messages()
        #expect(messages.count == 3, "the mail in flight twice, the other once: \(messages.count)")
        let ids = messages.compactMap { MailSink.header("Message-ID", in: $0) }
        #expect(ids.count == 3 && Set(ids).count == 2, "the repeat carries the first one's Message-ID: \(ids)")
        #expect(ids.first == ids.dropFirst().first, "the mail in flight is the one sent again first")
        #expect(first.first.flatMap { MailSink.header("To", in: $0) } == messages.dropFirst().first.flatMap { MailSink.header("To", in: $0) })
        let mails = try store.mails()
        #expect(mails.map { $0["attempts"] as? Int } == [1, 1])
    }
}

/// The SMTP sink (`tools/smtp-sink`, aiosmtpd) for the CLI's crash tests: a real server on a
/// free loopback port writing each message it accepts to a folder.
final class MailSink: @unchecked Sendable {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("tools/smtp-sink").path

    /// A Python 3 that imports aiosmtpd (`env python3`, else Debian's), or nil.
    static let python: [String]? = {
        for candidate in [["/usr/bin/env", "python3"], ["/usr/bin/python3"]] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: candidate[0])
            process.arguments = Array(candidate.dropFirst()) + ["-c", "import aiosmtpd"]
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            guard (try? process.run()) != nil, MailSenderCrashTests.Server.reap(process, seconds: 30) else { continue }
            if process.terminationStatus == 0 { return candidate }
        }
        return nil
    }()

    /// Whether the tests run: where a Python has aiosmtpd, and always under `tools/test`
    /// (`LEDGER_REQUIRE_SMTP_SINK=1`), where a missing aiosmtpd must fail them, not skip them.
    static var isAvailable: Bool { python != nil || ProcessInfo.processInfo.environment["LEDGER_REQUIRE_SMTP_SINK"] == "1" }

    static let skipReason: Comment = "no Python 3 with aiosmtpd here (tools/setup installs it: Debian python3-aiosmtpd or PyPI aiosmtpd); the mail crash tests are skipped"

    let directory = NSTemporaryDirectory() + "ledger-mail-sink-\(UUID().uuidString)"
    let port: Int
    private let process = Process()
    private let log: String

    init() throws {
        guard let python = Self.python else { throw SinkFailure("no Python 3 with aiosmtpd (tools/setup installs it)") }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        log = directory + ".log"
        FileManager.default.createFile(atPath: log, contents: nil)
        process.executableURL = URL(fileURLWithPath: python[0])
        process.arguments = Array(python.dropFirst()) + [Self.script, "--dir", directory]
        // Output to a file, polled with a deadline: nothing here can block on a pipe.
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle(forWritingAtPath: log)
        process.standardError = FileHandle(forWritingAtPath: log)
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        var found: Int?
        while found == nil && Date() < deadline && process.isRunning {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            found = text.split(separator: "\n").lazy.compactMap { line in
                line.hasPrefix("listening on ") ? Int(line.dropFirst("listening on ".count)) : nil
            }.first
            if found == nil { usleep(50_000) }
        }
        guard let found else {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            kill(process.processIdentifier, SIGKILL)
            throw SinkFailure("the SMTP sink did not start within 30 s: \(text)")
        }
        port = found
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        MailSenderCrashTests.Server.reap(process, seconds: 10)
        try? FileManager.default.removeItem(atPath: directory)
        try? FileManager.default.removeItem(atPath: log)
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

    struct SinkFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
