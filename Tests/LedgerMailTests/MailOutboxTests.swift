import Foundation
import LedgerDomain
import LedgerMail
import LedgerStore
import Testing

/// Queuing: one mail per reference, in the caller's own commit, and the queue fold.
@Suite("The outbox")
struct MailOutboxTests {
    @Test("the same reference is queued once, in any number of tries")
    func oncePerReference() async throws {
        let fixture = try MailFixture()
        let contact = try await fixture.contact("olena@example.com")
        let first = try await fixture.queue(contact, reference: "tok-1")
        let again = try await fixture.queue(contact, reference: "tok-1")
        let other = try await fixture.queue(contact, reference: "tok-2")
        #expect(!first.wasDuplicate)
        #expect(again.wasDuplicate)
        #expect(again.stream == first.stream)
        #expect(other.stream != first.stream)
        #expect(first.stream.category == .outbox)
        #expect(try fixture.queue().entries.count == 2)
        #expect(try fixture.ledger.lastStream(in: .outbox) == StreamID(category: .outbox, number: 2))
        #expect(try MailOutbox.stream(ofReference: "tok-1", in: fixture.ledger) == first.stream)
        #expect(try MailOutbox.stream(ofReference: "tok-3", in: fixture.ledger) == nil)
    }

    @Test("the queued event goes in the caller's commit: refused with it, or recorded with it")
    func sameCommit() async throws {
        let fixture = try MailFixture()
        let contact = try await fixture.contact("petro@example.com")
        let version = try fixture.ledger.version(of: contact)
        let request = MailRequest(contact: contact, purpose: "doi.confirmation", reference: "tok-9", template: "test:Hi")
        let note = ContactEvent.segmentMemberAdded(SegmentMembership(segment: "spring"))
        func contactAppend(expecting expected: UInt64) -> AppendRequest {
            AppendRequest(target: .existing(contact), expected: .exact(expected),
                          events: [note.newEvent(actor: Actor(.form, "spring"), source: .form(formID: "spring", submissionID: "s1"))])
        }
        let queued = try MailOutbox.queued(request, actor: Actor(.form, "spring"), source: .form(formID: "spring", submissionID: "s1"))
        await #expect(throws: LedgerError.self) { _ = try await fixture.ledger.append([contactAppend(expecting: version + 5), queued]) }
        #expect(try fixture.queue().entries.isEmpty, "the mail was queued although its commit was refused")
        let results = try await fixture.ledger.append([contactAppend(expecting: version), queued])
        #expect(results.count == 2)
        #expect(try fixture.queue().entries[results[1].stream]?.request == request)
    }

    @Test("requests with bad fields are refused before anything is written", arguments: [
        MailRequest(contact: StreamID(category: .outbox, number: 1), purpose: "doi.confirmation", reference: "r", template: "t"),
        MailRequest(contact: StreamID(1), purpose: "DOI confirmation", reference: "r", template: "t"),
        MailRequest(contact: StreamID(1), purpose: "doi", reference: "", template: "t"),
        MailRequest(contact: StreamID(1), purpose: "doi", reference: "r\r\nx", template: "t"),
        MailRequest(contact: StreamID(1), purpose: "doi", reference: "r", template: String(repeating: "t", count: 201)),
    ])
    func refused(_ request: MailRequest) throws {
        #expect(throws: MailError.self) { try MailOutbox.queued(request, actor: Actor(.user, "u"), source: .cli(command: "c")) }
    }
}
