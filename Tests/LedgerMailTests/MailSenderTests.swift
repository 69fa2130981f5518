import Foundation
import LedgerContacts
import LedgerDomain
@testable import LedgerMail
import LedgerStore
import Logging
import ServiceLifecycle
import Testing

/// The sender against a real SMTP server (aiosmtpd, `tools/smtp-sink`): delivery, temporary and
/// permanent failures, a server down then up, STARTTLS and AUTH; what the outbox records, and
/// that it records no personal data.
@Suite("The mail sender", .serialized, .enabled(if: SMTPSink.isAvailable, SMTPSink.skipReason))
struct MailSenderTests {
    @Test("a queued mail is delivered once, with its headers, encoded subject and body, and recorded as sent")
    func delivery() async throws {
        let fixture = try MailFixture()
        let sink = try SMTPSink()
        let contact = try await fixture.contact("olena.kovalenko@example.com", firstName: "Олена")
        let queued = try await fixture.queue(contact, reference: "tok-1", subject: "Підтвердіть підписку")
        let sender = try fixture.sender(port: sink.port)
        try await sender.sendDue()
        try await sender.sendDue()

        let messages = try sink.messages()
        try #require(messages.count == 1)
        let message = messages[0]
        #expect(message.recipients == ["olena.kovalenko@example.com"])
        #expect(message.mailFrom == "news@ledger.test")
        #expect(message.header("To") == "olena.kovalenko@example.com")
        #expect(message.header("List-Unsubscribe") == "<https://forms.example/unsubscribe?t=tok-1>, <mailto:unsubscribe@forms.example>")
        #expect(message.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click")
        let queuedID = MailOutbox.queuedEventID(reference: "tok-1")
        #expect(message.header("Message-ID") == "<\(queuedID.uuidString)@ledger.test>")
        let parsed = try PythonEmail.parse(Array(message.raw.utf8))
        #expect(parsed.subject == "Підтвердіть підписку")
        #expect(parsed.text.replacingOccurrences(of: "\r\n", with: "\n").contains("Hello Олена,\n.\nplease confirm: https://forms.example/confirm?t=tok-1"), "dot-stuffing undone: \(parsed.text)")
        #expect(parsed.html?.contains("<a href=\"https://forms.example/confirm?t=tok-1\">") == true)

        let entry = try #require(try fixture.queue().entries[queued.stream])
        #expect(entry.status == .sent)
        #expect(entry.attempts == 1)
        #expect(entry.lastReply?.contains("queued as SINK0001") == true)
        let outbox = try fixture.outboxJSON()
        #expect(!outbox.contains("olena"), "an outbox event holds the address: \(outbox)")
        #expect(!outbox.contains("Олена"))
    }

    @Test("a 4xx is retried after the back-off and then delivered; nothing is sent before it is due")
    func temporaryThenSuccess() async throws {
        let fixture = try MailFixture()
        let sink = try SMTPSink(["--refuse-first", "1"])
        let contact = try await fixture.contact("petro@example.com")
        let queued = try await fixture.queue(contact, reference: "tok-2")
        let sender = try fixture.sender(port: sink.port)
        try await sender.sendDue()
        var entry = try #require(try fixture.queue().entries[queued.stream])
        #expect(entry.status == .pending)
        #expect(entry.attempts == 1)
        #expect(entry.nextAttempt == fixture.clock.value + 60_000_000)
        #expect(entry.lastReply?.contains("451") == true)
        #expect(try fixture.outboxJSON().contains("\"code\":451"))

        fixture.clock.advance(seconds: 30)
        try await sender.sendDue()
        #expect(try sink.messages().isEmpty, "sent before the back-off was over")

        fixture.clock.advance(seconds: 31)
        try await sender.sendDue()
        entry = try #require(try fixture.queue().entries[queued.stream])
        #expect(entry.status == .sent)
        #expect(entry.attempts == 2)
        #expect(try sink.messages().count == 1)
    }

    @Test("a 5xx to the mail is a permanent failure: never tried again until an operator asks", arguments: ["--reject", "--reject-rcpt"])
    func permanent(_ option: String) async throws {
        let fixture = try MailFixture()
        let sink = try SMTPSink([option])
        let contact = try await fixture.contact("mykola@example.com")
        let queued = try await fixture.queue(contact, reference: "tok-3")
        let sender = try fixture.sender(port: sink.port)
        try await sender.sendDue()
        var entry = try #require(try fixture.queue().entries[queued.stream])
        #expect(entry.status == .failed)
        #expect(entry.lastReply?.contains("550") == true)
        #expect(entry.lastReply?.contains("[address]") == true)
        let outbox = try fixture.outboxJSON()
        #expect(!outbox.contains("mykola"), "the server's reply named the address and it was recorded: \(outbox)")
        #expect(outbox.contains("\"permanent\":true"))

        fixture.clock.advance(seconds: 86_400)
        try await sender.sendDue()
        #expect(try fixture.queue().entries[queued.stream]?.attempts == 1)

        try await MailOutbox.retry(reference: "tok-3", in: fixture.ledger, actor: Actor(.user, "ops"), source: .cli(command: "mail retry"))
        entry = try #require(try fixture.queue().entries[queued.stream])
        #expect(entry.status == .pending)
        await #expect(throws: MailError.self) {
            try await MailOutbox.retry(reference: "tok-3", in: fixture.ledger, actor: Actor(.user, "ops"), source: .cli(command: "mail retry"))
        }
        try await sender.sendDue()
        #expect(try fixture.queue().entries[queued.stream]?.attempts == 2)
    }

    @Test("a server that is down is tried again with a doubling back-off, and the mail goes once it is up")
    func downThenUp() async throws {
        let fixture = try MailFixture()
        let first = try SMTPSink()
        let port = first.port
        first.stop()
        let contact = try await fixture.contact("iryna@example.com")
        let queued = try await fixture.queue(contact, reference: "tok-4")
        let sender = try fixture.sender(port: port)
        try await sender.sendDue()
        var entry = try #require(try fixture.queue().entries[queued.stream])
        #expect(entry.status == .pending)
        #expect(entry.lastReply?.hasPrefix("connect:") == true, "\(entry.lastReply ?? "")")
        #expect(entry.nextAttempt == fixture.clock.value + 60_000_000)
        fixture.clock.advance(seconds: 61)
        try await sender.sendDue()
        entry = try #require(try fixture.queue().entries[queued.stream])
        #expect(entry.attempts == 2)
        #expect(entry.nextAttempt == fixture.clock.value + 120_000_000, "the back-off doubles")

        let second = try SMTPSink(port: port, directory: first.directory)
        fixture.clock.advance(seconds: 121)
        try await sender.sendDue()
        #expect(try fixture.queue().entries[queued.stream]?.status == .sent)
        #expect(try second.messages().count == 1)
    }

    @Test("the back-off doubles up to its cap, and the mail is given up after the last attempt")
    func backoffCapAndGiveUp() async throws {
        let fixture = try MailFixture()
        let sender = try fixture.sender(port: 9, maximumAttempts: 2)
        #expect(sender.backoff(after: 1) == .seconds(60))
        #expect(sender.backoff(after: 3) == .seconds(240))
        #expect(sender.backoff(after: 20) == .seconds(6 * 3600))
        #expect(sender.backoff(after: 200) == .seconds(6 * 3600))
        let contact = try await fixture.contact("taras@example.com")
        let queued = try await fixture.queue(contact, reference: "tok-5")
        try await sender.sendDue()
        fixture.clock.advance(seconds: 61)
        try await sender.sendDue()
        let entry = try #require(try fixture.queue().entries[queued.stream])
        #expect(entry.status == .failed)
        #expect(entry.lastReply?.contains("given up after 2 attempts") == true)
    }

    @Test("STARTTLS: offered and required, the mail goes encrypted, with AUTH over it")
    func startTLS() async throws {
        let fixture = try MailFixture()
        let (certificate, key) = try SMTPSink.certificate(in: fixture.directory + "-tls")
        defer { try? FileManager.default.removeItem(atPath: fixture.directory + "-tls") }
        let sink = try SMTPSink(["--tls-cert", certificate, "--tls-key", key, "--require-tls", "--auth", "mailer:s3cret"])
        let contact = try await fixture.contact("oksana@example.com")
        let queued = try await fixture.queue(contact, reference: "tok-6")
        let sender = try fixture.sender(port: sink.port, startTLS: .required, trust: certificate, user: "mailer", password: "s3cret", host: "localhost")
        try await sender.sendDue()
        let messages = try sink.messages()
        let lastReply = try fixture.queue().entries[queued.stream]?.lastReply ?? ""
        try #require(messages.count == 1, "\(lastReply)")
        #expect(messages[0].tls)
        #expect(messages[0].authenticated)
    }

    @Test("TLS failures and a wrong password are temporary failures naming their stage")
    func tlsAndAuthFailures() async throws {
        let fixture = try MailFixture()
        let (certificate, key) = try SMTPSink.certificate(in: fixture.directory + "-tls")
        defer { try? FileManager.default.removeItem(atPath: fixture.directory + "-tls") }
        let plain = try SMTPSink()
        let tls = try SMTPSink(["--tls-cert", certificate, "--tls-key", key, "--auth", "mailer:s3cret"])
        let contact = try await fixture.contact("bohdan@example.com")

        let required = try await fixture.queue(contact, reference: "tok-7a")
        try await fixture.sender(port: plain.port, startTLS: .required).sendDue()
        var entry = try #require(try fixture.queue().entries[required.stream])
        #expect(entry.status == .pending)
        #expect(entry.lastReply?.hasPrefix("starttls:") == true, "\(entry.lastReply ?? "")")

        let untrusted = try await fixture.queue(contact, reference: "tok-7b")
        fixture.clock.advance(seconds: 3600)
        try await fixture.sender(port: tls.port, startTLS: .required, host: "localhost").sendDue()
        entry = try #require(try fixture.queue().entries[untrusted.stream])
        #expect(entry.status == .pending)
        #expect(entry.lastReply?.hasPrefix("starttls:") == true || entry.lastReply?.hasPrefix("ehlo:") == true, "\(entry.lastReply ?? "")")

        let wrong = try await fixture.queue(contact, reference: "tok-7c")
        fixture.clock.advance(seconds: 3600)
        try await fixture.sender(port: tls.port, startTLS: .required, trust: certificate, user: "mailer", password: "wrong", host: "localhost").sendDue()
        entry = try #require(try fixture.queue().entries[wrong.stream])
        #expect(entry.status == .pending)
        #expect(entry.lastReply?.hasPrefix("auth:") == true, "\(entry.lastReply ?? "")")
        #expect(try tls.messages().isEmpty && plain.messages().isEmpty)
        #expect(!(try fixture.outboxJSON().contains("wrong")), "the password reached the outbox")
    }

    @Test("a mail whose contact was erased is dropped, not sent")
    func erasedContact() async throws {
        let fixture = try MailFixture()
        let sink = try SMTPSink()
        let contact = try await fixture.contact("vira@example.com")
        let queued = try await fixture.queue(contact, reference: "tok-8")
        _ = try await fixture.service.erase(contact, reason: "gdpr-request", actor: Actor(.user, "dpo"), source: .cli(command: "erase"))
        try await fixture.sender(port: sink.port).sendDue()
        #expect(try fixture.queue().entries[queued.stream]?.status == .dropped)
        #expect(try sink.messages().isEmpty)
    }

    @Test("a graceful shutdown finishes and records the mail in flight")
    func gracefulShutdown() async throws {
        let fixture = try MailFixture()
        let sink = try SMTPSink(["--delay-data", "2"])
        let contact = try await fixture.contact("marta@example.com")
        let queued = try await fixture.queue(contact, reference: "tok-10")
        let group = ServiceGroup(configuration: .init(services: [try fixture.sender(port: sink.port)], logger: Logger(label: "mail-test")))
        let running = Task { try await group.run() }
        for _ in 0..<600 where !FileManager.default.fileExists(atPath: sink.directory + "/receiving") {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(FileManager.default.fileExists(atPath: sink.directory + "/receiving"), "the mail never reached the server")
        #expect(try fixture.queue().entries[queued.stream]?.status == .pending, "in flight, not recorded yet")
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(try fixture.queue().entries[queued.stream]?.status == .sent)
        #expect(try sink.messages().count == 1)
    }

    @Test("a server that never answers times out as a temporary failure")
    func silentServer() async throws {
        let fixture = try MailFixture()
        let listener = try SilentListener()
        let contact = try await fixture.contact("halyna@example.com")
        let queued = try await fixture.queue(contact, reference: "tok-9")
        let configuration = SMTPConfiguration(host: "127.0.0.1", port: listener.port, startTLS: .off, connectTimeout: .seconds(2), commandTimeout: .seconds(1), dataTimeout: .seconds(1))
        let client = try SMTPClient(configuration: configuration)
        let sender = MailSender(
            ledger: fixture.ledger, composer: ProjectionComposer(service: fixture.service), client: client,
            options: MailSender.Options(from: try MailAddress(address: "news@ledger.test")), logger: .init(label: "t"), clock: { fixture.clock.value })
        try await sender.sendDue()
        let entry = try #require(try fixture.queue().entries[queued.stream])
        #expect(entry.status == .pending)
        #expect(entry.lastReply?.contains("no reply to greeting within 1 s") == true, "\(entry.lastReply ?? "")")
    }
}

/// A TCP listener on loopback that accepts and never says a word.
final class SilentListener: @unchecked Sendable {
    let port: Int
    private let descriptor: Int32

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.descriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(descriptor, 8) == 0 else { throw SinkError("cannot listen") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(descriptor) }
}
