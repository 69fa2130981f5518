import LedgerDomain
import Testing

/// `contact.created` v3 carries the identifiers and field values a contact is created with
/// (decision 0026); v1 and v2 read as v3 carrying none, and `facts` gives every creation as the
/// events it stands for.
@Suite("contact.created v3: the identifiers and fields a contact is created with")
struct CreationValuesTests {
    static func decode(version: UInt16, data: String, personal: String = "") throws -> ContactEvent {
        let data = try #require(Hex.decode(data))
        let personal = try #require(Hex.decode(personal))
        return try ContactEvent.decode(type: EventType("contact.created", version: version), data: data[...], personal: personal[...])
    }

    static var sample: ContactCreated {
        guard case .contactCreated(let created) = ContactEventSamples.sample(.contactCreated) else { preconditionFailure("not a creation") }
        return created
    }

    @Test("v1 and v2 creations read as v3 carrying no identifiers or fields, and stand for themselves alone")
    func olderVersions() throws {
        let v1 = try Self.decode(version: 1, data: "03")
        #expect(v1 == .contactCreated(ContactCreated(channel: .form)))
        #expect(Array(v1.facts) == [v1])
        let v2 = try Self.decode(version: 2, data: "020101096d61726b6574696e6702000002")
        guard case .contactCreated(let created) = v2 else {
            Issue.record("not a creation")
            return
        }
        #expect(created.consents.count == 1)
        #expect(created.identifiers.isEmpty)
        #expect(created.fields.isEmpty)
        #expect(!created.carriesValues)
        #expect(Array(v2.facts) == [v2])
        // The sample's v2 bytes as ContactEventFormatTests pinned them before v3: its consents, nothing else.
        let pinnedV2 = try Self.decode(version: 2, data: "010201096d61726b6574696e670100000202096d61726b6574696e67010107323032362d30390001")
        #expect(pinnedV2 == .contactCreated(Self.sample.alone))
        // v2 bytes followed by v3's two empty lists are not v2: trailing bytes.
        #expect(throws: DomainEventError.self) { try Self.decode(version: 2, data: "020101096d61726b6574696e67020000020000") }
        // The same bytes are a v3 creation carrying nothing.
        #expect(try Self.decode(version: 3, data: "020101096d61726b6574696e67020000020000") == v2)
    }

    @Test("a creation carrying nothing writes no personal part; one carrying values writes them in it only")
    func personalPart() throws {
        let bare = ContactEvent.contactCreated(ContactCreated(channel: .api))
        #expect(bare.encodedPayload.personalData.isEmpty)
        #expect(bare.type == EventType("contact.created", version: 3))
        let full = ContactEvent.contactCreated(Self.sample)
        let parts = full.encodedPayload
        #expect(!parts.personalData.isEmpty)
        // No identifier or field value appears in the non-personal part.
        for value in ["olena@example.com", "+380441234567", "Олена", "1250.5"] {
            #expect(!Hex.encode(parts.data).contains(Hex.encode(Array(value.utf8))))
            #expect(Hex.encode(parts.personalData).contains(Hex.encode(Array(value.utf8))))
        }
    }

    @Test("facts: the creation alone with its consents, an identifier-added per identifier in order, then one fields-changed")
    func facts() {
        let created = Self.sample
        let facts = Array(ContactEvent.contactCreated(created).facts)
        #expect(facts == [
            .contactCreated(ContactCreated(channel: .import, consents: created.consents)),
            .identifierAdded(IdentifierChange(kind: .email, value: "olena@example.com")),
            .identifierAdded(IdentifierChange(kind: .phone, value: "+380441234567")),
            .contactFieldsChanged(ContactFieldsChanged(changes: created.fields)),
        ])
        // Identifiers only: no fields-changed.
        let identifiersOnly = ContactEvent.contactCreated(ContactCreated(channel: .cli, identifiers: [IdentifierChange(kind: .externalId, value: "crm-17")]))
        #expect(Array(identifiersOnly.facts) == [
            .contactCreated(ContactCreated(channel: .cli)),
            .identifierAdded(IdentifierChange(kind: .externalId, value: "crm-17")),
        ])
        // Every other event is itself.
        let other = ContactEventSamples.sample(.identifierRemoved)
        #expect(Array(other.facts) == [other])
    }

    @Test("erased values read as erased facts; the creation itself and the field names stay readable")
    func erasedFacts() throws {
        let full = ContactEvent.contactCreated(Self.sample)
        let erased = try ContactEvent.decode(type: full.type, data: full.encodedPayload.data[...], personal: nil)
        #expect(erased == ContactEventSamples.erased(full))
        let facts = Array(erased.facts)
        #expect(facts.count == 4)
        #expect(facts[1] == .identifierAdded(IdentifierChange(kind: .email, value: .erased)))
        guard case .contactFieldsChanged(let changed) = facts[3] else {
            Issue.record("no fields-changed")
            return
        }
        #expect(changed.changes.map(\.field) == [.standard(.firstName), .standard(.birthDate), .custom("lifetimeValue"), .custom("vip")])
        #expect(changed.changes.allSatisfy { change in change.new.isErased })
    }

    @Test("counts past the end of the data are malformed, not an allocation")
    func malformedCounts() {
        // v1 channel, no consents, then an identifier count of 100 with one byte after it.
        #expect(throws: DomainEventError.self) { try Self.decode(version: 3, data: "0100640100") }
        // One identifier named, but no personal slot for its value.
        #expect(throws: DomainEventError.self) { try Self.decode(version: 3, data: "0100010100", personal: "") }
    }

    @Test("the JSON lists the identifiers and the fields with their values, erased ones as the marker")
    func json() {
        let full = ContactEvent.contactCreated(Self.sample)
        guard case .object(let object) = full.jsonPayload, case .array(let identifiers)? = object["identifiers"],
              case .array(let fields)? = object["fields"] else {
            Issue.record("no identifiers or fields in \(full.jsonPayload)")
            return
        }
        #expect(identifiers.first == .object(["kind": .string("email"), "value": .string("olena@example.com")]))
        #expect(fields.count == 4)
        #expect(fields.first == .object(["field": .string("firstName"), "value": .object(["text": .string("Олена")])]))
        guard case .object(let erased) = ContactEventSamples.erased(full).jsonPayload, case .array(let erasedIDs)? = erased["identifiers"] else {
            Issue.record("no identifiers in the erased JSON")
            return
        }
        #expect(erasedIDs.first == .object(["kind": .string("email"), "value": .string("[erased]")]))
    }
}
