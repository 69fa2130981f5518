import LedgerDomain
@testable import LedgerProjections
import Testing

/// A creation carrying identifiers and fields (decision 0026) means exactly the events it stands
/// for (`ContactEvent.facts`): the fold and the segment facts give the same whichever shape.
@Suite("A creation carrying values folds as its facts")
struct CreationFoldTests {
    @Test("the fold of each event equals the fold of its facts, one by one, with the same meta", arguments: [41, 42, 43, 44] as [UInt64])
    func foldEqualsFacts(seed: UInt64) {
        var random = RandomEvents(seed: seed)
        var whole: ContactState?
        var split: ContactState?
        var carrying = 0
        for (index, event) in random.events(count: 800).enumerated() {
            let meta = EventMeta(position: UInt64(index + 1), stream: StreamID(3), recordedAt: 1_000 + Int64(index))
            ContactState.fold(into: &whole, event, meta: meta)
            if event.facts.count > 1 { carrying += 1 }
            for fact in event.facts { ContactState.fold(into: &split, fact, meta: meta) }
            #expect(whole == split, "event \(index): \(event)")
        }
        #expect(carrying > 0, "the random events held no creation carrying values")
    }

    @Test("a new-shape creation folds to the state its old-shape events fold to")
    func oldAndNewShape() {
        let created = ContactCreated(
            channel: .import,
            consents: [CreationConsent(scope: ConsentScope(channel: .email, purpose: "marketing"), method: .import, status: .confirmed, wordingVersion: nil)],
            identifiers: [IdentifierChange(kind: .email, value: "a@example.com"), IdentifierChange(kind: .phone, value: "+380441234567")],
            fields: [FieldChange(field: .standard(.firstName), from: nil, to: .text("Ann")), FieldChange(field: .custom("tier"), from: nil, to: .text("gold"))]
        )
        let old: [ContactEvent] = [
            .contactCreated(ContactCreated(channel: .import, consents: created.consents)),
            .identifierAdded(created.identifiers[0]),
            .identifierAdded(created.identifiers[1]),
            .contactFieldsChanged(ContactFieldsChanged(changes: created.fields)),
        ]
        let meta = EventMeta(position: 9, stream: StreamID(2), recordedAt: 5_000)
        var oldState: ContactState?
        for event in old { ContactState.fold(into: &oldState, event, meta: meta) }
        let newState = ContactState.fold(nil, .contactCreated(created), meta: meta)
        #expect(newState == oldState)
        #expect(newState?.email == "a@example.com" && newState?.phone == "+380441234567")
        #expect(newState?.fields["tier"] == .text("gold"))
        #expect(newState?.consent(ConsentScope(channel: .email, purpose: "marketing"))?.status == .confirmed)

        // Segment facts: the creation sets each field's time, as the fields-changed did.
        let envelope = FactEnvelope(recordedAt: 5_000, actor: Actor(.user, "ann"), sourceKind: 2, file: "base.csv")
        var oldFacts = SegmentFacts()
        for event in old { oldFacts.record(event, envelope: envelope) }
        var newFacts = SegmentFacts()
        newFacts.record(.contactCreated(created), envelope: envelope)
        #expect(newFacts == oldFacts)
        #expect(newFacts.fieldChangedAt[.custom("tier")] == 5_000)
    }
}
