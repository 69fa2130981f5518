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
            // Consent, one grant when recorded and one migrated with its own time: placing sets
            // the first's time and both positions.
            .consentGranted(ConsentGranted(scope: ConsentScope(channel: .email, purpose: "marketing"), method: .import, status: .confirmed, wordingVersion: nil)),
            .consentGranted(ConsentGranted(
                scope: ConsentScope(channel: .sms, purpose: "marketing"), method: .import, status: .subscribed, wordingVersion: "v2",
                evidence: .known(ConsentEvidence(ipAddress: "198.51.100.7")), occurredAt: 1_678_785_165_000_000)),
        ]
        // Folded ahead as a bulk import's preparer does: unplaced.
        var ahead: ContactState?
        for (index, event) in events.enumerated() { ContactState.fold(into: &ahead, event, meta: .unplaced(index)) }
        let state = try #require(ahead)
        let newEvents = events.map { $0.newEvent(actor: Actor(.user, "test"), source: .cli(command: "test")) }
        let result = try ledger.append(AppendRequest(target: .new, expected: .noStream, events: newEvents))
        let recordedAt = try #require(try ledger.event(at: result.positions[0])).recordedAt
        let first = result.positions[0]
        let folded = FoldedContact(stream: result.stream, placing: SharedContactState(state, encodingTail: encodedAhead), recordedAt: recordedAt, firstPosition: first)
        #expect(folded.old == nil)
        let placed = state.placed(stream: result.stream, recordedAt: recordedAt, firstPosition: first)
        #expect(folded.new == placed)
        // What the fold of the recorded events gives.
        var replayed: ContactState?
        for (index, event) in events.enumerated() {
            ContactState.fold(into: &replayed, event, meta: EventMeta(position: first + UInt64(index), stream: result.stream, recordedAt: recordedAt))
        }
        #expect(replayed == placed)
        #expect(placed.consents[ConsentScope(channel: .email, purpose: "marketing")]?.since == recordedAt)
        #expect(placed.consents[ConsentScope(channel: .sms, purpose: "marketing")]?.since == 1_678_785_165_000_000)
        #expect(placed.consents[ConsentScope(channel: .sms, purpose: "marketing")]?.position == first + 5)

        let positions = try #require(result.positions.first)...(try #require(result.positions.last))
        #expect(try ContactProjection.record([folded], definitions: [], positions: positions, headHash: try #require(try ledger.chainHash(at: positions.upperBound)), in: store))
        let directory = ContactDirectory(store: store)
        #expect(try directory.contact(result.stream) == placed)
        #expect(try directory.find(.email, "new@example.com") == result.stream)
        #expect(try directory.find(.phone, "+380441234567") == result.stream)
        let check = try ContactProjectionCheck.run(ledger: ledger, store: store)
        #expect(check.isValid, "\(check.differences)")
    }

    @Test("a batch's identifiers are written through one cursor in key order: new ones, ones the index holds already, and ones two contacts of the batch share")
    func identifiersThroughOneCursor() throws {
        let (ledger, cleanup) = try ContactProjectionTests.temporaryLedger()
        defer { cleanup() }
        let runner = ProjectionRunner(ledger: ledger, projection: ContactProjection())
        let store = try runner.openStore()
        defer { store.close() }
        // Held before the batch: the batch adds a second holder to it.
        let earlier = try ContactProjectionTests.append(ledger, nil, [
            .contactCreated(ContactCreated(channel: .import)),
            .identifierAdded(IdentifierChange(kind: .email, value: "held@example.com")),
        ])
        try runner.catchUp(store: store)

        // Out of key order on purpose, spread over many leaf pages, with neighbours in one page.
        let emails = (0..<600).map { "user\(($0 * 7_919) % 600)@example.com" }
        var requests = [AppendRequest]()
        var batchEvents = [[ContactEvent]]()
        for (index, email) in emails.enumerated() {
            var events: [ContactEvent] = [
                .contactCreated(ContactCreated(channel: .import)),
                .identifierAdded(IdentifierChange(kind: .email, value: email)),
                .identifierAdded(IdentifierChange(kind: .phone, value: "+38044\(1_000_000 + (index * 4_801) % 1_000_000)")),
            ]
            if index == 10 || index == 500 { events.append(.identifierAdded(IdentifierChange(kind: .email, value: "held@example.com"))) }
            if index == 20 || index == 21 { events.append(.identifierAdded(IdentifierChange(kind: .email, value: "shared@example.com"))) }
            batchEvents.append(events)
            requests.append(.newStream(events.map { $0.newEvent(actor: Actor(.user, "test"), source: .cli(command: "test")) }))
        }
        let results = try ledger.append(requests)
        let first = try #require(results.first?.positions.first)
        let last = try #require(results.last?.positions.last)
        let recordedAt = try #require(try ledger.event(at: first)).recordedAt
        var folded = [FoldedContact]()
        for (events, result) in zip(batchEvents, results) {
            var state: ContactState?
            for (event, position) in zip(events, result.positions) {
                ContactState.fold(into: &state, event, meta: EventMeta(position: position, stream: result.stream, recordedAt: recordedAt))
            }
            folded.append(FoldedContact(stream: result.stream, old: nil, new: state))
        }
        #expect(try ContactProjection.record(folded, definitions: [], positions: first...last, headHash: try #require(try ledger.chainHash(at: last)), in: store))

        let directory = ContactDirectory(store: store)
        for (email, result) in zip(emails, results).prefix(50) {
            #expect(try directory.holders(.email, email) == [result.stream])
        }
        #expect(try directory.holders(.email, "held@example.com") == [earlier, results[10].stream, results[500].stream].sorted())
        #expect(try directory.holders(.email, "shared@example.com") == [results[20].stream, results[21].stream])
        let check = try ContactProjectionCheck.run(ledger: ledger, store: store)
        #expect(check.isValid, "\(check.differences)")
    }
}
