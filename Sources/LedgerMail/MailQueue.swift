import LedgerDomain
import LedgerStore

/// The outbox as its events say: every mail with its status, attempts and next attempt time.
/// A fold over the `outbox` streams (decision 0021), small enough to keep in memory: loaded
/// from the streams by number, then kept current from the log's newest outbox events.
///
/// Pending means queued (or re-queued) and neither sent, dropped nor permanently failed.
public struct MailQueue: Sendable {
    /// Where a mail stands.
    public enum Status: String, Hashable, Sendable {
        /// Waiting for its first or next attempt.
        case pending
        /// The SMTP server accepted it.
        case sent
        /// Given up: a permanent failure, or too many temporary ones.
        case failed
        /// No longer to be sent (the composer had nothing to send).
        case dropped
    }

    /// One mail of the outbox.
    public struct Entry: Hashable, Sendable {
        /// Its outbox stream.
        public let stream: StreamID
        /// The stream's version folded so far.
        public fileprivate(set) var version: UInt64
        /// What was queued.
        public let request: MailRequest
        /// The `mail.queued` event's id (derived from the reference).
        public let queuedID: EventID
        /// When it was queued (microseconds since 1970).
        public let queuedAt: Int64
        /// Attempts made so far.
        public fileprivate(set) var attempts: UInt64 = 0
        /// Where it stands.
        public fileprivate(set) var status: Status = .pending
        /// When the next attempt is due, while pending.
        public fileprivate(set) var nextAttempt: Int64
        /// The last reply or failure recorded (addresses blanked).
        public fileprivate(set) var lastReply: String?
        /// When its last event was recorded.
        public fileprivate(set) var updatedAt: Int64
    }

    /// Every mail, by outbox stream.
    public private(set) var entries: [StreamID: Entry] = [:]
    /// The last log position folded in.
    public private(set) var position: UInt64 = 0

    /// An empty queue.
    public init() {}

    /// Folds one recorded event; events of other families, and events of a stream at or
    /// below the version already folded, are passed over (re-reading is harmless).
    public mutating func apply(_ event: RecordedEvent) throws {
        position = max(position, event.position)
        guard event.stream.category == .outbox, case .outbox(let mail) = try LedgerEvent(decoding: event) else { return }
        if let known = entries[event.stream], event.version <= known.version { return }
        switch mail {
        case .queued(let queued):
            entries[event.stream] = Entry(
                stream: event.stream, version: event.version, request: MailRequest(queued), queuedID: event.id,
                queuedAt: event.recordedAt, nextAttempt: max(queued.notBefore, event.recordedAt), updatedAt: event.recordedAt)
            return
        default:
            break
        }
        guard var entry = entries[event.stream] else { return }
        entry.version = event.version
        entry.updatedAt = event.recordedAt
        switch mail {
        case .queued:
            break
        case .sent(let sent):
            entry.attempts = max(entry.attempts, sent.attempt)
            entry.status = .sent
            entry.lastReply = sent.reply
        case .failed(let failed):
            entry.attempts = max(entry.attempts, failed.attempt)
            entry.lastReply = failed.reply
            if failed.permanent {
                entry.status = .failed
            } else {
                entry.status = .pending
                entry.nextAttempt = failed.nextAttempt ?? event.recordedAt
            }
        case .dropped(let dropped):
            entry.status = .dropped
            entry.lastReply = dropped.reason
        case .requeued(let requeued):
            entry.status = .pending
            entry.nextAttempt = max(requeued.notBefore, event.recordedAt)
        }
        entries[event.stream] = entry
    }

    /// The queue as the log says it is now.
    public static func load(from ledger: Ledger) throws -> MailQueue {
        var queue = MailQueue()
        let start = try ledger.lastPosition()
        if let last = try ledger.lastStream(in: .outbox) {
            for number in 1...last.numberInCategory {
                for event in try ledger.readStream(StreamID(category: .outbox, number: number)) { try queue.apply(event) }
            }
        }
        queue.position = max(queue.position, start)
        return queue
    }

    /// Folds the outbox events appended since the last update (by any process).
    public mutating func update(from ledger: Ledger) throws {
        while true {
            let (events, last) = try ledger.events(in: .outbox, after: position)
            for event in events {
                // A stream this queue never saw begin (it was re-read from a later version):
                // read it whole, so the fold starts at its `mail.queued`.
                if entries[event.stream] == nil, event.version > 1 {
                    for earlier in try ledger.readStream(event.stream, fromVersion: 1) where earlier.version < event.version { try apply(earlier) }
                }
                try apply(event)
            }
            position = max(position, last)
            if events.count < 4096 { return }
        }
    }

    /// The pending mails, oldest due first.
    public var pending: [Entry] {
        entries.values.filter { $0.status == .pending }.sorted { ($0.nextAttempt, $0.stream.rawValue) < ($1.nextAttempt, $1.stream.rawValue) }
    }

    /// The pending mails due at `now`, oldest due first.
    public func due(at now: Int64) -> [Entry] {
        pending.filter { $0.nextAttempt <= now }
    }

    /// The mail queued with `reference`, if any.
    public func entry(reference: String) -> Entry? {
        entries.values.first { $0.request.reference == reference }
    }
}
