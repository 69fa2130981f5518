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
        let events: [ContactEvent] = [
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
        #expect(try ContactProjection.record(folded, definitions: [], positions: (positions.lowerBound + 1)...(positions.upperBound + 1), headHash: EventRecord.genesisHash, in: store) == false)
        #expect(try directoryView.checkpoint() == positions.lowerBound - 1)
        #expect(try directoryView.find(.email, "new@example.com") == nil)

        #expect(try ContactProjection.record(folded, definitions: [], positions: positions, headHash: try #require(try ledger.chainHash(at: positions.upperBound)), in: store))
        #expect(try directoryView.checkpoint() == positions.upperBound)
        #expect(try directoryView.find(.email, "new@example.com") == existing)
        #expect(try directoryView.find(.email, "old@example.com") == nil)
        #expect(try directoryView.contact(existing) == state)
        let check = try ContactProjectionCheck.run(ledger: ledger, store: store)
        #expect(check.isValid, "\(check.differences)")
    }

    @Test("a new contact's state folded ahead and shared (its tail encoded ahead or not) is recorded as placed in its stream", arguments: [false, true])
    func placing(encodedAhead: Bool) throws {
        let (ledger, cleanup) = try ContactProjectionTests.temporaryLedger()
        defer { cleanup() }
        let runner = ProjectionRunner(ledger: ledger, projection: ContactProjection())
        let store = try runner.openStore()
        defer { store.close() }
        let events: [ContactEvent] = [
            .contactCreated(ContactCreated(channel: .import)),
            .identifierAdded(IdentifierChange(kind: .email, value: "new@example.com")),
            .identifierAdded(IdentifierChange(kind: .phone, value: "+380441234567")),
            .contactFieldsChanged(ContactFieldsChanged(changes: [FieldChange(field: .standard(.firstName), from: nil, to: .text("Олена"))])),
        ]
        // Folded ahead as a bulk import's preparer does: stream and time 0.
        let ahead = try #require(events.reduce(nil) { ContactState.fold($0, $1, meta: EventMeta(position: 0, stream: StreamID(0), recordedAt: 0)) })
        let newEvents = events.map { $0.newEvent(actor: Actor(.user, "test"), source: .cli(command: "test")) }
        let result = try ledger.append(AppendRequest(target: .new, expected: .noStream, events: newEvents))
        let recordedAt = try #require(try ledger.event(at: result.positions[0])).recordedAt
        let folded = FoldedContact(stream: result.stream, placing: SharedContactState(ahead, encodingTail: encodedAhead), recordedAt: recordedAt)
        #expect(folded.old == nil)
        #expect(folded.new == ahead.placed(stream: result.stream, recordedAt: recordedAt))

        let positions = try #require(result.positions.first)...(try #require(result.positions.last))
        #expect(try ContactProjection.record([folded], definitions: [], positions: positions, headHash: try #require(try ledger.chainHash(at: positions.upperBound)), in: store))
        let directory = ContactDirectory(store: store)
        #expect(try directory.contact(result.stream) == ahead.placed(stream: result.stream, recordedAt: recordedAt))
        #expect(try directory.find(.email, "new@example.com") == result.stream)
        #expect(try directory.find(.phone, "+380441234567") == result.stream)
        let check = try ContactProjectionCheck.run(ledger: ledger, store: store)
        #expect(check.isValid, "\(check.differences)")
    }
}
