import Foundation
import LedgerDomain
import LedgerProjections
import LedgerStore
import Testing

@Suite("Recording folded contacts in the projection", .serialized)
struct ContactProjectionRecordTests {
    @Test("states folded by the writer are recorded with the checkpoint only right after it; the result equals applying the events")
    func record() throws {
        let directory = NSTemporaryDirectory() + "ledger-record-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ledger = try Ledger(directory: directory)
        defer { ledger.close() }
        let runner = ProjectionRunner(ledger: ledger, projection: ContactProjection())
        let store = try runner.openStore()
        defer { store.close() }
        let existing = try ContactProjectionTests.append(ledger, nil, [
            .contactCreated(ContactCreated(channel: .import)),
            .identifierAdded(IdentifierChange(kind: .email, value: "old@example.com")),
        ])
        try runner.catchUp(store: store)
        let directoryView = ContactDirectory(store: store)
        let base = try directoryView.contact(existing)

        // The writer appends two events to the contact and folds them itself.
        let events: [DomainEvent] = [
            .identifierRemoved(IdentifierChange(kind: .email, value: "old@example.com")),
            .identifierAdded(IdentifierChange(kind: .email, value: "new@example.com")),
        ]
        let newEvents = events.map { $0.newEvent(actor: Actor(.user, "test"), source: .cli(command: "test")) }
        let result = try ledger.append(AppendRequest(target: .existing(existing), events: newEvents))
        let recordedAt = try #require(try ledger.event(at: result.positions[0])).recordedAt
        var state = base
        for (event, position) in zip(events, result.positions) {
            state = ContactState.fold(state, event, meta: EventMeta(position: position, stream: existing, recordedAt: recordedAt))
        }
        let folded = [FoldedContact(stream: existing, old: base, new: state)]
        let positions = result.positions[0]...result.positions[1]

        // A run that does not start right after the checkpoint is refused, and nothing is written.
        #expect(try ContactProjection.record(folded, definitions: [], positions: (positions.lowerBound + 1)...(positions.upperBound + 1), in: store) == false)
        #expect(try directoryView.checkpoint() == positions.lowerBound - 1)
        #expect(try directoryView.find(.email, "new@example.com") == nil)

        #expect(try ContactProjection.record(folded, definitions: [], positions: positions, in: store))
        #expect(try directoryView.checkpoint() == positions.upperBound)
        #expect(try directoryView.find(.email, "new@example.com") == existing)
        #expect(try directoryView.find(.email, "old@example.com") == nil)
        #expect(try directoryView.contact(existing) == state)
        let check = try ContactProjectionCheck.run(ledger: ledger, store: store)
        #expect(check.isValid, "\(check.differences)")
    }
}
