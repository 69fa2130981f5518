import ArgumentParser
import Foundation
import LedgerContacts
import LedgerMail
import LedgerStore
import Logging
import ServiceLifecycle

/// `ledger serve`'s outbox options: with `--smtp`, the server also runs the mail sender
/// (decision 0021, docs/operations.md "The e-mail outbox").
struct MailOptions: ParsableArguments {
    @Option(name: .customLong("smtp"), help: ArgumentHelp("Send the outbox through this SMTP server.", valueName: "host:port"))
    var smtp: String?
    @Option(name: .customLong("smtp-user"), help: "The SMTP login (AUTH PLAIN or LOGIN; only over TLS unless the server is on loopback).")
    var user: String?
    @Option(name: .customLong("smtp-password-file"), help: ArgumentHelp("A file holding the SMTP password (its first line).", valueName: "file"))
    var passwordFile: String?
    @Option(name: .customLong("smtp-from"), help: ArgumentHelp("The From of every mail, e.g. 'News <news@example.com>'.", valueName: "address"))
    var from: String?
    @Option(name: .customLong("smtp-starttls"), help: "STARTTLS: required, opportunistic (default: when offered) or off.")
    var startTLS: String = SMTPConfiguration.StartTLS.opportunistic.rawValue
    @Option(name: .customLong("smtp-ca-file"), help: ArgumentHelp("PEM CA certificates to trust instead of the system's.", valueName: "file"))
    var caFile: String?

    func validate() throws {
        guard smtp != nil else {
            if user != nil || passwordFile != nil || from != nil || caFile != nil {
                throw ValidationError("--smtp-user, --smtp-password-file, --smtp-from and --smtp-ca-file need --smtp host:port")
            }
            return
        }
        guard SMTPConfiguration.StartTLS(rawValue: startTLS) != nil else {
            throw ValidationError("--smtp-starttls is required, opportunistic or off")
        }
        guard from != nil else { throw ValidationError("--smtp needs --smtp-from ADDRESS, the From of every mail") }
        guard (user == nil) == (passwordFile == nil) else { throw ValidationError("--smtp-user and --smtp-password-file go together") }
    }

    /// The mail sender to run beside the server, or none without `--smtp`; `composers` are the
    /// features' own (the forms' `form` scheme), beside the built-in ones.
    func services(service: ContactService, logger: Logger, composers extra: [String: any MailComposer] = [:]) throws -> [any Service] {
        guard let smtp, let from else { return [] }
        let (host, port) = try SMTPConfiguration.endpoint(smtp)
        let fromAddress = try MailAddress(parsing: from, field: "--smtp-from")
        var password: String?
        if let passwordFile {
            guard let text = FileManager.default.contents(atPath: passwordFile).map({ String(decoding: $0, as: UTF8.self) }) else {
                throw CommandFailure(.noInput, "cannot read the SMTP password file \(passwordFile)")
            }
            password = text.split(separator: "\n", omittingEmptySubsequences: false).first.map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        }
        let configuration = SMTPConfiguration(
            host: host, port: port, startTLS: SMTPConfiguration.StartTLS(rawValue: startTLS) ?? .opportunistic,
            username: user, password: password, trustRootsFile: caFile, heloName: fromAddress.domain)
        let environment = ProcessInfo.processInfo.environment
        var options = MailSender.Options(from: fromAddress, pause: environment["LEDGER_TEST_MAIL_PAUSE"].flatMap(MailSender.Pause.init(rawValue:)))
        if let seconds = environment["LEDGER_TEST_MAIL_BACKOFF_SECONDS"].flatMap(Int64.init) {
            options.backoffBase = .seconds(seconds)
        }
        var mailLogger = logger
        mailLogger[metadataKey: "component"] = "mail"
        let sender = MailSender(
            ledger: service.book.ledger, composer: MailComposers(Self.composers(service: service).merging(extra) { _, feature in feature }),
            client: try SMTPClient(configuration: configuration), options: options, logger: mailLogger)
        return [sender]
    }

    /// The composers by template scheme: each feature that queues mail registers its own here.
    static func composers(service: ContactService) -> [String: any MailComposer] {
        var composers = [String: any MailComposer]()
        // Test-only: crash tests of the sender queue `notice:` mails (docs/operations.md).
        if ProcessInfo.processInfo.environment["LEDGER_TEST_MAIL_COMPOSER"] == "1" {
            composers["notice"] = NoticeComposer(service: service)
        }
        return composers
    }
}
