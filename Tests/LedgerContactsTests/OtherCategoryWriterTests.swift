import Foundation
@testable import LedgerContacts
import LedgerDomain
import LedgerStore
import Synchronization
import Testing

/// Writers of other stream categories (the outbox, tokens) do not make contact writes start
/// over: what they append touches no contact.
@Suite("Contact writes beside writers of other categories", .serialized)
struct OtherCategoryWriterTests {
    @Test("an outbox writer appending flat out does not stall contact upserts")
    func outboxWriterFlatOut() throws {
        let fixture = try Fixture()
        let ledger = fixture.ledger
        let running = Atomic<Bool>(true)
        let appended = Atomic<Int>(0)
        let writer = Thread {
            // Bounded: stops when the upserts are done, or after 20,000 appends.
            var outbox: StreamID?
            while running.load(ordering: .relaxed), appended.load(ordering: .relaxed) < 20_000 {
                let event = NewEvent(type: EventType("outbox.queued", version: 1), actor: Actor(.system, "outbox"), source: .cli(command: "test"), data: Array("message".utf8))
                let request = outbox.map { AppendRequest(target: .existing($0), events: [event]) }
                    ?? AppendRequest(target: .newIn(.outbox), expected: .noStream, events: [event])
                guard let result = try? ledger.append(request) else { break }
                outbox = result.stream
                appended.add(1, ordering: .relaxed)
            }
        }
        writer.start()
        defer { running.store(false, ordering: .relaxed) }
        // Wait until the writer is going.
        while appended.load(ordering: .relaxed) < 50 { usleep(1_000) }
        var created = [StreamID]()
        for index in 0..<100 {
            created.append(try fixture.upsert(ContactInput(email: "c\(index)@example.com", fields: [(.custom("tier"), .text("gold"))])).contact)
        }
        let during = appended.load(ordering: .relaxed)
        running.store(false, ordering: .relaxed)
        #expect(during > 100, "the outbox writer kept appending while contacts were written (\(during))")
        #expect(created == (1...100).map { StreamID($0) }, "contacts numbered on their own")
        #expect(fixture.book.stalePlans == 0, "no contact batch was decided again for the outbox's appends")
        #expect(try ledger.verify().isValid)
    }
}
