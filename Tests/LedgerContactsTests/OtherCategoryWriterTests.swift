import Foundation
@testable import LedgerContacts
import LedgerDomain
import LedgerIdentity
import LedgerProjections
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
        #expect(fixture.book.decidedAgain == 0, "no contact batch was decided again for the outbox's appends")
        #expect(try ledger.verify().isValid)
    }

    @Test("a writer of other contacts appending flat out does not make a batch decide again; one of the same contact does")
    func contactWriterFlatOut() throws {
        let fixture = try Fixture()
        let book = fixture.book
        let actor = fixture.actor
        let running = Atomic<Bool>(true)
        let written = Atomic<Int>(0)
        let writer = Thread {
            var index = 0
            while running.load(ordering: .relaxed), index < 5_000 {
                let input = ContactInput(email: "other\(index)@example.com")
                guard (try? book.upsert(input, match: .email, channel: .api, actor: actor, source: .api(key: "crm", requestID: "w\(index)"))) != nil else { break }
                index += 1
                written.store(index, ordering: .relaxed)
            }
        }
        writer.start()
        defer { running.store(false, ordering: .relaxed) }
        while written.load(ordering: .relaxed) < 20 { usleep(1_000) }
        var created = Set<StreamID>()
        for index in 0..<100 {
            created.insert(try fixture.upsert(ContactInput(email: "c\(index)@example.com")).contact)
        }
        let during = written.load(ordering: .relaxed)
        running.store(false, ordering: .relaxed)
        while writer.isExecuting { usleep(1_000) }
        #expect(during > 20, "the other writer kept writing while these contacts were (\(during))")
        #expect(created.count == 100)
        #expect(book.decidedAgain == 0, "appends to other contacts never make a batch start over")
        #expect(try ContactProjectionCheck.run(ledger: fixture.ledger, store: book.store).isValid)

        // A change to the same contact after the snapshot a batch was decided from is a
        // conflict at the write: the batch is decided again and sees it.
        let ann = try fixture.upsert(ContactInput(email: "ann@example.com")).contact
        var plan = try BatchPlan(book: book, match: .email, options: UpsertOptions(), channel: .api)
        try plan.add([UpsertItem(input: ContactInput(email: "ann@example.com", fields: [(.standard(.firstName), .text("Ann"))]), source: .cli(command: "test"))], actor: actor)
        try fixture.upsert(ContactInput(email: "ann@example.com", fields: [(.standard(.lastName), .text("Lee"))]))
        let (requests, _) = plan.requests()
        let error = try #require(throws: LedgerError.self) { try fixture.ledger.append(try book.sealed(requests, keys: fixture.ledger.keyRing())) }
        #expect(error.code == .wrongExpectedVersion)
        #expect(try fixture.upsert(ContactInput(email: "ann@example.com", fields: [(.standard(.firstName), .text("Ann"))])) == .updated(ann, events: 1))
    }
}
