import Crypto
import LedgerDomain
import LedgerStore

/// The outbox's write side for callers: the `mail.queued` append for a request, to commit
/// together with the caller's own events (a form submission and its confirmation mail are
/// recorded together or not at all), and a standalone `enqueue` for tools and tests.
///
/// A queued event's id is derived from the request's reference, so queuing the same reference
/// again, in any process and after any crash, records nothing and returns the first mail's
/// stream (the log's id index refuses the id a second time).
public enum MailOutbox {
    /// The append that queues `request` on a new outbox stream. Append it in the same
    /// `Ledger.append([...])` call as the events it belongs with.
    public static func queued(
        _ request: MailRequest, actor: Actor, source: Source, correlationID: EventID? = nil, causationID: EventID? = nil
    ) throws(MailError) -> AppendRequest {
        try request.validate()
        let event = MailEvent.queued(request.queued).newEvent(
            id: queuedEventID(reference: request.reference), actor: actor, source: source,
            correlationID: correlationID, causationID: causationID)
        return AppendRequest(target: .newIn(.outbox), expected: .noStream, events: [event])
    }

    /// Queues `request` in a commit of its own; returns its outbox stream (the first one's when
    /// the reference was queued before: `wasDuplicate` says so).
    @discardableResult
    public static func enqueue(_ request: MailRequest, in ledger: Ledger, actor: Actor, source: Source) async throws -> AppendResult {
        try await ledger.append(queued(request, actor: actor, source: source))
    }

    /// The id of the `mail.queued` event of `reference`: a UUIDv8 from SHA-256 of the
    /// reference, the same in every process.
    public static func queuedEventID(reference: String) -> EventID {
        let digest = Array(SHA256.hash(data: Array(("mail.queued\u{0}" + reference).utf8)))
        let namespace = digest[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let sequence = digest[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return EventID.derived(namespace: namespace, sequence: sequence)
    }

    /// The outbox stream of the mail queued with `reference`, or nil when none was.
    public static func stream(ofReference reference: String, in ledger: Ledger) throws -> StreamID? {
        guard let position = try ledger.position(of: queuedEventID(reference: reference)),
              let event = try ledger.event(at: position)
        else { return nil }
        return event.stream
    }
}

extension MailOutbox {
    /// The mail queued with `reference`, folded from its stream; nil when none was.
    public static func entry(reference: String, in ledger: Ledger) throws -> MailQueue.Entry? {
        guard let stream = try stream(ofReference: reference, in: ledger) else { return nil }
        var queue = MailQueue()
        for event in try ledger.readStream(stream) { try queue.apply(event) }
        return queue.entries[stream]
    }

    /// Asks for another try of a mail that failed for good or was dropped (`mail.requeued`):
    /// the sender takes it at `notBefore` (0: at once). A pending mail is left as it is, and a
    /// sent one is never sent again this way.
    @discardableResult
    public static func retry(reference: String, in ledger: Ledger, actor: Actor, source: Source, notBefore: Int64 = 0) async throws -> MailQueue.Entry {
        guard let entry = try Self.entry(reference: reference, in: ledger) else {
            throw MailError(.notFound, "no mail was queued with the reference \(reference); `ledger mail list` shows them")
        }
        switch entry.status {
        case .pending:
            throw MailError(.invalidRequest, "mail \(entry.stream.numberInCategory) is pending already (attempt \(entry.attempts + 1) is due at \(Timestamp.iso8601(microseconds: entry.nextAttempt)))")
        case .sent:
            throw MailError(.invalidRequest, "mail \(entry.stream.numberInCategory) was sent; a retry is for failed or dropped mails")
        case .failed, .dropped:
            let event = MailEvent.requeued(MailRequeued(notBefore: notBefore)).newEvent(actor: actor, source: source, causationID: entry.queuedID)
            _ = try await ledger.append(AppendRequest(target: .existing(entry.stream), expected: .exact(entry.version), events: [event]))
            return try Self.entry(reference: reference, in: ledger) ?? entry
        }
    }
}
