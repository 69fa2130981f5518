import Dispatch
import LedgerContacts
import LedgerDomain
import Logging

/// Re-evaluates the dynamic segments whose rules read the clock (the last N days, birthdays,
/// ages) while `ledger serve` runs (issue 17): every `interval`, `ContactBook.refreshSegments`,
/// which appends one `segment.refreshed` per such segment and re-evaluates every contact for
/// those segments (and the segments whose rules name them) only. Nothing is rebuilt: the other
/// segments and the contact tables are left as they are.
///
/// The work blocks on LMDB, so it runs on a thread of its own, never on the cooperative pool
/// that serves requests; it takes the contact book's writer lock like any other write.
public struct SegmentRefreshSchedule: Sendable {
    /// The contact book refreshed.
    let book: ContactBook
    /// The time between two refreshes.
    public let interval: Duration
    let logger: Logger
    private let queue = DispatchQueue(label: "contactledger.segments.refresh")

    /// Who the refreshes are recorded as.
    public static let actor = Actor(.system, "segment-refresh")

    /// A schedule refreshing `book` every `interval`; failures are logged to `logger`.
    public init(book: ContactBook, every interval: Duration, logger: Logger) {
        self.book = book
        self.interval = interval
        self.logger = logger
    }

    /// Refreshes every `interval` until the task is cancelled. A failed refresh is logged
    /// (its error, which names no contact) and tried again at the next.
    public func run() async {
        while true {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            do {
                let names = try await refresh()
                if !names.isEmpty { logger.info("segments refreshed", metadata: ["segments": "\(names.joined(separator: ","))"]) }
            } catch {
                logger.error("segment refresh failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Refreshes once now, on the schedule's thread; the names of the segments refreshed.
    public func refresh() async throws -> [String] {
        let book = book
        return try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try book.refreshSegments(actor: Self.actor, source: .system(reason: "segment refresh schedule")) })
            }
        }
    }
}
