import Foundation
@testable import LedgerContacts
import LedgerDomain
import LedgerProjections
import LedgerStore
import Testing

/// Rule changes and refreshes recorded as `segment.members-changed` events (decision 0018).
@Suite("Segment changes in the log", .serialized)
struct SegmentChangesTests {
    /// The segments family's events in `stream`, in order.
    static func events(_ fixture: Fixture, _ stream: StreamID) throws -> [(position: UInt64, event: SegmentEvent)] {
        try fixture.ledger.readStream(stream).compactMap { recorded in
            guard case .segments(let event) = try LedgerEvent(decoding: recorded) else { return nil }
            return (recorded.position, event)
        }
    }

    static func changes(_ events: [(position: UInt64, event: SegmentEvent)], cause: UInt64) -> (entered: [StreamID], left: [StreamID], parts: Int) {
        let parts = events.compactMap { entry -> SegmentMembersChanged? in
            guard case .membersChanged(let changed) = entry.event, changed.cause == cause else { return nil }
            return changed
        }
        return (parts.flatMap(\.entered), parts.flatMap(\.left), parts.count)
    }

    /// Defines `name`'s rule a second after the last event: transitions at one instant that
    /// cancel are not kept (decision 0018), so each step here gets an instant of its own.
    func define(_ fixture: Fixture, _ name: String, _ rule: String) throws -> StreamID {
        fixture.advance(seconds: 1)
        _ = try fixture.book.defineSegment(name, rule: Array(rule.utf8), actor: fixture.actor, source: .cli(command: "segment define"))
        return try #require(try SegmentDirectory(store: fixture.book.store).rules()[name]).stream
    }

    @Test("a rule's versions record who entered and left, as the projection folded them; a contact's own event records nothing")
    func definitionsRecordTheirChanges() throws {
        let fixture = try Fixture()
        let ids = try ["Olena", "Ivan", "Taras"].enumerated().map { index, name in
            try fixture.upsert(ContactInput(email: "c\(index)@example.com", fields: [(.standard(.firstName), .text(name))])).contact
        }
        let stream = try define(fixture, "s", #"{"field": "firstName", "op": "in", "value": ["Olena", "Ivan"]}"#)
        let named = try define(fixture, "not-s", #"{"not": {"segment": "s"}}"#)
        var events = try Self.events(fixture, stream)
        let first = try #require(events.first { if case .ruleDefined = $0.event { true } else { false } })
        var recorded = Self.changes(events, cause: first.position)
        #expect(recorded.entered == [ids[0], ids[1]] && recorded.left.isEmpty && recorded.parts == 1)

        // A contact's own event moves it (projection history), and the log gains no record.
        let before = try fixture.ledger.lastPosition()
        fixture.advance(seconds: 1)
        try fixture.upsert(ContactInput(email: "c2@example.com", fields: [(.standard(.firstName), .text("Olena"))]))
        #expect(try SegmentDirectory(store: fixture.book.store).members("s").map(\.stream) == ids)
        #expect(try Self.events(fixture, stream).count == events.count)
        #expect(try fixture.ledger.lastPosition() == before + 1)

        // Version 2: Olena and Taras leave, Ivan stays; the segment naming it changes too.
        _ = try define(fixture, "s", #"{"field": "firstName", "op": "=", "value": "Ivan"}"#)
        events = try Self.events(fixture, stream)
        let second = try #require(events.last { if case .ruleDefined = $0.event { true } else { false } })
        recorded = Self.changes(events, cause: second.position)
        #expect(recorded.entered.isEmpty && recorded.left == [ids[0], ids[2]])
        let history = try SegmentDirectory(store: fixture.book.store).changes("s", causedAt: second.position)
        #expect(history.entered == recorded.entered && history.left == recorded.left, "the record equals the projection's history")
        let dependent = Self.changes(try Self.events(fixture, named), cause: second.position)
        #expect(dependent.entered == [ids[0], ids[2]] && dependent.left.isEmpty)
        guard case .membersChanged(let last)? = events.last?.event else { Issue.record("the stream ends with the record"); return }
        #expect(last.version == 2 && last.segment == "s")
    }

    @Test("a refresh records what the clock changed; a change left unrecorded (a crash between the appends) is recorded by the next command")
    func refreshesRecordTheirChanges() throws {
        let fixture = try Fixture()
        let old = try fixture.upsert(ContactInput(email: "old@example.com")).contact
        fixture.advance(seconds: 3 * 86_400)
        let recent = try fixture.upsert(ContactInput(email: "new@example.com")).contact
        let stream = try define(fixture, "recent", #"{"field": "createdAt", "op": "withinLastDays", "value": 2}"#)
        _ = try define(fixture, "plain", #"{"has": "email"}"#)
        #expect(try SegmentDirectory(store: fixture.book.store).members("recent").map(\.stream) == [recent])
        _ = old

        fixture.advance(seconds: 3 * 86_400)
        #expect(try fixture.book.refreshSegments(actor: fixture.actor, source: .cli(command: "segment refresh")) == ["recent"])
        let events = try Self.events(fixture, stream)
        let refresh = try #require(events.last { if case .refreshed = $0.event { true } else { false } })
        let recorded = Self.changes(events, cause: refresh.position)
        #expect(recorded.entered.isEmpty && recorded.left == [recent] && recorded.parts == 1)

        // The definition appended, then the process gone before its record: the next command
        // records it first.
        fixture.advance(seconds: 1)
        let rule = SegmentEvent.ruleDefined(SegmentRuleDefined(segment: "recent", version: 2, rule: #"{"has":"email"}"#))
        let position = try fixture.ledger.append(AppendRequest(target: .existing(stream), events: [rule.newEvent(actor: fixture.actor, source: .cli(command: "segment define"))])).positions[0]
        #expect(try fixture.book.refreshSegments(actor: fixture.actor, source: .cli(command: "segment refresh")) == [])
        let repaired = Self.changes(try Self.events(fixture, stream), cause: position)
        #expect(repaired.entered.count == 2 && repaired.left.isEmpty && repaired.parts == 1)
    }
}
