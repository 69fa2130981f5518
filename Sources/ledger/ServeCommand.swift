import ArgumentParser
import Foundation
import LedgerContacts
import LedgerForms
import LedgerImport
import LedgerServer
import LedgerStore
import ServiceLifecycle
import Logging

/// `ledger serve [--host 127.0.0.1] [--port 8080] [--smtp host:port …]`: the HTTP API
/// (docs/api.md) on the store, and with `--smtp` the outbox's mail sender.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the HTTP API on the store (docs/api.md).",
        discussion: """
            Requests are signed with API keys (`ledger apikey create`). SIGTERM or SIGINT stops \
            the server gracefully: it stops accepting connections and finishes the requests under \
            way; nothing is acknowledged that was not committed. The CLI keeps working beside it. \
            With --smtp it also sends the e-mail outbox, finishing the mail in flight on a stop.
            """
    )

    @OptionGroup var options: ContactBookOptions
    @Option(help: "The address to listen on.") var host = "127.0.0.1"
    @Option(help: "The port to listen on (0: any free port, printed when listening).") var port = 8080
    @Option(name: .customLong("rate-limit"), help: "Requests per second per API key (0: no limit).") var rateLimit: Double = 0
    @Option(name: .customLong("segment-refresh"), help: "Seconds between re-evaluations of the dynamic segments whose rules read the clock (0: never).") var segmentRefresh: Int = 3_600
    @Option(name: .customLong("public-url"), help: "The URL people reach the server at, for links in confirmation mails (default http://HOST:PORT).")
    var publicURL: String?
    @Option(name: .customLong("form-rate-limit"), help: "Form submissions per minute from one IP address (429 above it).") var formRateLimit = 20
    @Option(name: .customLong("reminder-interval"), help: "Seconds between passes that queue the double opt-in reminders forms ask for.") var reminderInterval = 600
    @Option(name: .customLong("trusted-proxy"), help: ArgumentHelp(
        "A reverse proxy (an address or CIDR network) whose X-Forwarded-For names the client; repeatable. Without it the client is the connection's peer.",
        valueName: "cidr"))
    var trustedProxies: [String] = []
    @OptionGroup var mail: MailOptions

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
        guard rateLimit >= 0 else { throw ValidationError("--rate-limit must be 0 or more") }
        guard segmentRefresh >= 0 else { throw ValidationError("--segment-refresh must be 0 or more seconds") }
        guard formRateLimit >= 1 else { throw ValidationError("--form-rate-limit must be 1 or more") }
        guard reminderInterval >= 1 else { throw ValidationError("--reminder-interval must be 1 or more") }
        do {
            _ = try TrustedProxies(parsing: trustedProxies)
        } catch let error as TrustedProxyError {
            throw ValidationError(error.message)
        }
        if let publicURL {
            do {
                try FormRules.checkURL(publicURL, what: "--public-url")
            } catch {
                throw ValidationError(error.message)
            }
        }
    }

    func run() async throws {
        LoggingSystem.bootstrap { ServerLogHandler(label: $0) }
        let (book, close) = try options.open(create: true)
        defer { close() }
        // While it runs, an import in another process commits smaller batches, so that its
        // hold on the log's write lock delays the server's commits less (decision 0020).
        let serving = try book.ledger.processLock(named: ImportOptions.servingLockName)
        try serving.holdShared()
        defer { serving.release() }
        // And its writer announces each wait for the log's write lock, which an import lets it
        // take before its own next transaction (decision 0020, addendum on write turns).
        try book.ledger.takeWriteTurns(as: .announces)
        var logger = Logger(label: "contactledger.http")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let service = ContactService(book: book, logger: logger)
        let formBook = try FormBook(ledger: book.ledger)
        let intake = try FormIntake(service: service, forms: formBook, limits: SubmissionGuard(perAddress: formRateLimit), queueMail: FormIntake.outbox)
        let forms = FormRoutes(intake: intake, publicURL: publicURL ?? "http://\(host):\(port)")
        // The double opt-in mails' composer, for the outbox's sender (`MailComposers` scheme `form`).
        let formMails = FormMailComposer(service: service, forms: formBook, key: intake.key, publicURL: forms.publicURL)
        let interval = reminderInterval
        let log = logger
        let reminders = Task {
            while !Task.isCancelled {
                do {
                    let queued = try await DoiReminders.queueDue(service: service, forms: formBook, now: Ledger.systemClock())
                    if queued > 0 { log.info("double opt-in reminders queued", metadata: ["count": "\(queued)"]) }
                } catch {
                    log.error("double opt-in reminders failed", metadata: ["error.type": "\(type(of: error))"])
                }
                try? await Task.sleep(for: .seconds(interval))
            }
        }
        defer { reminders.cancel() }
        let server = try ApiServer(service: service, logger: logger, rateLimit: rateLimit > 0 ? rateLimit : nil, openAPI: OpenAPIDocument.text, forms: forms,
                                   trustedProxies: try TrustedProxies(parsing: trustedProxies))
        defer { server.close() }
        let services = try mail.services(service: service, logger: logger, composers: ["form": formMails])
        let host = host
        // Time-relative segments are refreshed beside the server, and stopped (a refresh under
        // way finishing first) before the book is closed.
        let schedule = SegmentRefreshSchedule(book: book, every: .seconds(segmentRefresh), logger: logger)
        let refreshing = segmentRefresh > 0 ? Task { await schedule.run() } : nil
        do {
            try await server.run(host: host, port: port, alongside: services) { port in
                Output.error("listening on http://\(host):\(port.map(String.init) ?? "?")")
            }
        } catch {
            refreshing?.cancel()
            await refreshing?.value
            throw error
        }
        refreshing?.cancel()
        await refreshing?.value
    }
}
