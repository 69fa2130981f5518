import Foundation
import LedgerContacts
import LedgerDomain
import LedgerProjections
import LedgerServer
import LedgerStore
import Logging
import Testing

/// `ledger serve`'s refresh of the segments whose rules read the clock.
@Suite("Segment refresh schedule", .serialized)
struct SegmentRefreshScheduleTests {
    static func refreshes(_ ledger: Ledger) throws -> [String] {
        var names = [String]()
        try ledger.forEachEvent(from: 1) { event in
            if case .segments(.refreshed(let refreshed)) = try LedgerEvent(decoding: event) { names.append(refreshed.segment) }
        }
        return names
    }

    @Test("the schedule refreshes only the segments that read the clock, and stops when cancelled")
    func refreshesOnSchedule() async throws {
        let fixture = try ServerFixture()
        let actor = Actor(.user, "tester")
        _ = try fixture.book.defineSegment("recent", rule: Array(#"{"field": "createdAt", "op": "withinLastDays", "value": 7}"#.utf8), actor: actor, source: .cli(command: "test"))
        _ = try fixture.book.defineSegment("mailable", rule: Array(#"{"has": "email"}"#.utf8), actor: actor, source: .cli(command: "test"))
        let schedule = SegmentRefreshSchedule(book: fixture.book, every: .milliseconds(20), logger: Logger(label: "test"))
        #expect(try await schedule.refresh() == ["recent"])
        #expect(try Self.refreshes(fixture.ledger) == ["recent"])

        let running = Task { await schedule.run() }
        let deadline = Date().addingTimeInterval(20)
        while try Self.refreshes(fixture.ledger).count < 3, Date() < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        running.cancel()
        await running.value
        let seen = try Self.refreshes(fixture.ledger)
        #expect(seen.count >= 3 && seen.allSatisfy { $0 == "recent" })
        // Stopped: nothing more is appended.
        try await Task.sleep(for: .milliseconds(100))
        #expect(try Self.refreshes(fixture.ledger).count == seen.count)
    }
}
