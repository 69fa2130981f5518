import LedgerDomain
import LedgerStore
import Logging
import ServiceLifecycle

/// Delivers the outbox (decision 0021): a `Service` that `ledger serve --smtp` runs beside the
/// HTTP API. It takes each due mail, has the composer render it from the contact's current
/// state, sends it over SMTP, and records `mail.sent`, `mail.failed` or `mail.dropped` on the
/// mail's stream.
///
/// **At least once, never lost.** `mail.sent` is recorded after the server's 250 to the data,
/// so a crash between the two sends that one mail again on restart (with the same
/// `Message-ID`), and a crash at any other moment sends nothing twice: the queued event is
/// durable before the sender ever sees it, and a mail is only ever in flight one at a time.
/// Recording first would risk the opposite, a confirmation recorded as sent that never left.
///
/// One process sends a store's mail at a time (`mail-sender.lock`); another waits for the
/// lock. A graceful shutdown finishes the mail in flight and records it before returning.
public final class MailSender: Service {
    /// How the sender behaves.
    public struct Options: Sendable {
        /// The `From` of every mail and the envelope sender.
        public var from: MailAddress
        /// The first back-off after a temporary failure; doubled for each further one.
        public var backoffBase: Duration
        /// The longest back-off.
        public var backoffCap: Duration
        /// After this many temporary failures in a row the mail is given up (`mail.failed`,
        /// permanent).
        public var maximumAttempts: UInt64
        /// How often to look for mails queued by other processes and for due retries.
        public var pollInterval: Duration
        /// Who the sender's events are recorded as.
        public var actor: Actor
        /// A test-only pause (`LEDGER_TEST_MAIL_PAUSE`): the sender stops there and waits to be
        /// killed, so crash tests can kill it between two steps.
        public var pause: Pause?

        /// Options with the defaults: back-off 1 minute doubling to 6 hours, 12 attempts.
        public init(
            from: MailAddress, backoffBase: Duration = .seconds(60), backoffCap: Duration = .seconds(6 * 3600),
            maximumAttempts: UInt64 = 12, pollInterval: Duration = .milliseconds(250), actor: Actor = Actor(.system, "mail-sender"),
            pause: Pause? = nil
        ) {
            self.from = from
            self.backoffBase = backoffBase
            self.backoffCap = backoffCap
            self.maximumAttempts = maximumAttempts
            self.pollInterval = pollInterval
            self.actor = actor
            self.pause = pause
        }
    }

    /// Where a crash test stops the sender.
    public enum Pause: String, Sendable {
        /// After the mail is composed, before it is sent.
        case beforeSend = "before-send"
        /// After the server's 250 to the data, before `mail.sent` is recorded.
        case afterAccepted = "after-accepted"
    }

    let ledger: Ledger
    let composer: any MailComposer
    let client: SMTPClient
    let options: Options
    let logger: Logger
    let clock: @Sendable () -> Int64

    /// A sender of `ledger`'s outbox through `client`, rendering with `composer`.
    public init(ledger: Ledger, composer: any MailComposer, client: SMTPClient, options: Options, logger: Logger, clock: @escaping @Sendable () -> Int64 = Ledger.systemClock) {
        self.ledger = ledger
        self.composer = composer
        self.client = client
        self.options = options
        self.logger = logger
        self.clock = clock
    }

    /// Sends due mails until a graceful shutdown, then returns once the mail in flight is
    /// recorded.
    public func run() async throws {
        let lock = try ledger.processLock(named: "mail-sender")
        var announced = false
        while try !lock.tryAcquire() {
            if !announced {
                logger.info("another process sends this store's mail; waiting for it to stop")
                announced = true
            }
            try? await Task.sleep(for: .seconds(1))
            if Task.isShuttingDownGracefully || Task.isCancelled { return }
        }
        defer { lock.release() }
        var queue = try MailQueue.load(from: ledger)
        logger.info("mail sender started", metadata: ["pending": "\(queue.pending.count)", "smtp": "\(client.configuration.host):\(client.configuration.port)"])
        for await _ in ledger.appendWakeups(pollInterval: options.pollInterval).cancelOnGracefulShutdown() {
            try queue.update(from: ledger)
            for entry in queue.due(at: clock()) {
                if Task.isShuttingDownGracefully { break }
                try await deliver(entry)
            }
            try queue.update(from: ledger)
        }
    }

    /// Processes every mail due now once, without waiting for more: for tools and tests.
    public func sendDue() async throws {
        var queue = try MailQueue.load(from: ledger)
        try queue.update(from: ledger)
        for entry in queue.due(at: clock()) { try await deliver(entry) }
    }

    /// One attempt at one mail: compose, send, record.
    func deliver(_ entry: MailQueue.Entry) async throws {
        let attempt = entry.attempts + 1
        let fields: Logger.Metadata = ["mail": "\(entry.stream.numberInCategory)", "reference": "\(entry.request.reference)", "attempt": "\(attempt)"]
        let composed: ComposedMail?
        do {
            composed = try await composer.compose(entry.request)
        } catch {
            // The composer's error may name the contact's values: only its type is kept.
            try await recordFailure(entry, attempt: attempt, code: 0, reply: "cannot compose the mail (\(type(of: error)))", permanent: false, fields: fields)
            return
        }
        guard let composed else {
            try await record(entry, .dropped(MailDropped(reason: "not-composed")))
            logger.info("mail dropped: nothing to send", metadata: fields)
            return
        }
        let message: MailMessage
        switch build(composed, entry) {
        case .success(let built):
            message = built
        case .failure(let error):
            try await recordFailure(entry, attempt: attempt, code: 0, reply: error.message, permanent: true, fields: fields)
            return
        }
        await pauseIfAsked(.beforeSend)
        let reply: SMTPReply
        do {
            reply = try await client.send(message)
        } catch let error as SMTPError {
            let text = error.reply.map { SMTPReply.scrubbed($0.description) } ?? error.message
            try await recordFailure(entry, attempt: attempt, code: UInt16(error.reply?.code ?? 0), reply: "\(error.stage.rawValue): \(text)", permanent: error.isPermanent, fields: fields)
            return
        } catch {
            try await recordFailure(entry, attempt: attempt, code: 0, reply: "\(type(of: error))", permanent: false, fields: fields)
            return
        }
        await pauseIfAsked(.afterAccepted)
        try await record(entry, .sent(MailSent(attempt: attempt, messageID: message.messageID, reply: SMTPReply.scrubbed(reply.description))))
        logger.info("mail sent", metadata: fields)
    }

    /// The message of a composed mail, or why the builder refused it (kept out of the async
    /// `deliver`, where a typed `catch` trips Swift 6.3's SIL ownership verifier).
    private func build(_ composed: ComposedMail, _ entry: MailQueue.Entry) -> Result<MailMessage, MailError> {
        do {
            return .success(try MailMessage(composed, from: options.from, messageID: messageID(of: entry), date: clock()))
        } catch {
            return .failure(error)
        }
    }

    /// The `Message-ID` of a mail: its queued event's id at the sender's domain, the same for
    /// every attempt.
    func messageID(of entry: MailQueue.Entry) -> String {
        entry.queuedID.uuidString + "@" + options.from.domain
    }

    /// The delay before attempt `attempt + 1`: base × 2^(attempt − 1), at most the cap.
    public func backoff(after attempt: UInt64) -> Duration {
        let base = options.backoffBase.components.seconds
        let cap = options.backoffCap.components.seconds
        let shift = min(attempt > 0 ? attempt - 1 : 0, 40)
        let (delay, overflow) = base.multipliedReportingOverflow(by: Int64(1) << shift)
        return .seconds(overflow ? cap : min(delay, cap))
    }

    private func recordFailure(_ entry: MailQueue.Entry, attempt: UInt64, code: UInt16, reply: String, permanent: Bool, fields: Logger.Metadata) async throws {
        let givingUp = !permanent && attempt >= options.maximumAttempts
        let text = givingUp ? reply + " (given up after \(attempt) attempts)" : reply
        let next = clock() + backoff(after: attempt).components.seconds * 1_000_000
        try await record(entry, .failed(MailFailed(attempt: attempt, code: code, reply: SMTPReply.scrubbed(text), permanent: permanent || givingUp, nextAttempt: next)))
        var metadata = fields
        metadata["reply"] = "\(SMTPReply.scrubbed(text))"
        logger.warning(permanent || givingUp ? "mail failed for good" : "mail failed; will try again", metadata: metadata)
    }

    /// Appends `event` to the mail's stream, expecting the version the sender folded: another
    /// writer's change meanwhile (an operator's `mail retry`) is a conflict, logged and left
    /// for the next round.
    private func record(_ entry: MailQueue.Entry, _ event: MailEvent) async throws {
        let new = event.newEvent(actor: options.actor, source: .system(reason: "mail-sender"), causationID: entry.queuedID)
        do {
            _ = try await ledger.append(AppendRequest(target: .existing(entry.stream), expected: .exact(entry.version), events: [new]))
        } catch let error as LedgerError where error.code == .wrongExpectedVersion {
            logger.warning("the mail's stream changed while it was sent; its next round decides", metadata: ["mail": "\(entry.stream.numberInCategory)"])
        }
    }

    private func pauseIfAsked(_ point: Pause) async {
        guard options.pause == point else { return }
        logger.critical("mail sender paused at \(point.rawValue) (LEDGER_TEST_MAIL_PAUSE, a test hook)")
        while true { try? await Task.sleep(for: .seconds(3600)) }
    }
}
