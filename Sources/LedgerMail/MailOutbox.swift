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
