import LedgerDomain
import Testing

@Suite("Event families")
struct EventFamilyTests {
    @Test("every contact event type belongs to the contacts family")
    func contactKindsAreClaimed() {
        for kind in ContactEventKind.allCases {
            #expect(EventFamily(typeName: kind.name) == .contacts, "\(kind.name)")
        }
    }

    @Test("no family prefix starts another, so a tag has one family at most")
    func prefixesAreDisjoint() {
        let prefixes = EventFamily.allCases.flatMap { family in family.typePrefixes.map { ($0, family) } }
        for (index, first) in prefixes.enumerated() {
            for second in prefixes[(index + 1)...] {
                #expect(!first.0.hasPrefix(second.0) && !second.0.hasPrefix(first.0), "\(first.0) and \(second.0)")
            }
        }
    }

    @Test("an event of a family this build does not know reads as unrecognized, not as an error")
    func unrecognizedFamily() throws {
        let new = NewEvent(type: EventType("outbox.queued", version: 1), actor: Actor(.user, "u"), source: .cli(command: "c"), data: [1, 2, 3])
        let stored = try ContactEventTests.recorded(new, position: 4)
        #expect(try LedgerEvent(decoding: stored) == .unrecognized(EventType("outbox.queued", version: 1)))
        #expect(try LedgerEvent(decoding: stored).jsonPayload == nil)
        #expect(EventFamily(typeName: "segment.rule-defined") == .segments, "segment rules are a family of their own, not contacts")
    }

    @Test("a tag the contacts family claims but does not define is an error, never skipped")
    func unknownContactType() throws {
        let new = NewEvent(type: EventType("contact.teleported", version: 1), actor: Actor(.user, "u"), source: .cli(command: "c"))
        let stored = try ContactEventTests.recorded(new, position: 9)
        let error = try #require(throws: DomainEventError.self) { try LedgerEvent(decoding: stored) }
        #expect(error.code == .unknownType)
        #expect(error.position == 9)
    }

    @Test("contact events read the same through the family dispatch", arguments: ContactEventKind.allCases)
    func contactEvents(kind: ContactEventKind) throws {
        let event = ContactEventSamples.sample(kind)
        let stored = try ContactEventTests.recorded(ContactEventTests.newEvent(event))
        #expect(try LedgerEvent(decoding: stored) == .contacts(event))
        #expect(try LedgerEvent(decoding: stored).family == .contacts)
    }
}
