import LedgerDomain
import LedgerProjections
import Testing

@Suite("Contact fold: each event's effect")
struct ContactStateFoldTests {
    @Test("contact.created starts a contact with its channel and times")
    func created() throws {
        let state = try #require(ContactState.fold(nil, Events.created(.form), meta: meta(0)))
        #expect(state.id == contactStream)
        #expect(state.channel == .form)
        #expect(state.createdAt == baseTime)
        #expect(state.updatedAt == baseTime)
        #expect(!state.erased && state.mergedInto == nil)
        #expect(state.emails.isEmpty && state.fields.isEmpty && state.consents.isEmpty && state.segments.isEmpty)
    }

    @Test("a second contact.created keeps the first time and channel")
    func createdTwice() throws {
        let state = try #require(fold([Events.created(.api), Events.created(.cli)]))
        #expect(state.channel == .api)
        #expect(state.createdAt == baseTime)
        #expect(state.updatedAt == baseTime + 1_000_000)
    }

    @Test("an event before contact.created starts a minimal contact instead of being lost")
    func eventWithoutCreation() throws {
        let state = try #require(fold([Events.added(.email, "olena@example.com"), Events.created(.import)]))
        #expect(state.email == "olena@example.com")
        #expect(state.createdAt == baseTime)
        #expect(state.channel == .import)
    }

    @Test("field.defined leaves contacts alone and never starts one")
    func fieldDefined() throws {
        let defined = ContactEvent.fieldDefined(FieldDefined(name: "tier", type: .text))
        #expect(ContactState.fold(nil, defined, meta: meta(0)) == nil)
        let state = try #require(fold([Events.created()]))
        #expect(ContactState.fold(state, defined, meta: meta(5)) == state)
    }

    @Test("fields-changed sets and unsets standard and custom fields")
    func fields() throws {
        let state = try #require(fold([
            Events.created(),
            .contactFieldsChanged(ContactFieldsChanged(changes: [
                FieldChange(field: .standard(.firstName), from: nil, to: .text("Олена")),
                FieldChange(field: .standard(.lastName), from: nil, to: .text("Shevchenko")),
                FieldChange(field: .standard(.birthDate), from: nil, to: .date(Events.date(1961, 3, 9))),
                FieldChange(field: .standard(.languageCode), from: nil, to: .text("uk")),
                FieldChange(field: .standard(.timeZone), from: nil, to: .text("Europe/Kyiv")),
                FieldChange(field: .custom("tier"), from: nil, to: .text("gold")),
                FieldChange(field: .custom("ltv"), from: nil, to: Events.number("1250.50")),
            ])),
            Events.set(.standard(.lastName), .text("Ševčenko")),
            Events.set(.custom("tier"), nil),
        ]))
        #expect(state.firstName == "Олена")
        #expect(state.lastName == "Ševčenko")
        #expect(state.birthDate == Events.date(1961, 3, 9))
        #expect(state.languageCode == "uk")
        #expect(state.timeZone == "Europe/Kyiv")
        #expect(state.fields == ["ltv": Events.number("1250.5")])
    }

    @Test("an erased new value unsets the field; an erased old value does not matter")
    func erasedFieldValues() throws {
        let state = try #require(fold([
            Events.set(.standard(.firstName), .text("Ann")),
            Events.set(.custom("vip"), .bool(true)),
            .contactFieldsChanged(ContactFieldsChanged(changes: [
                FieldChange(field: .standard(.firstName), old: .known(.text("Ann")), new: .erased),
                FieldChange(field: .custom("vip"), old: .erased, new: .known(.bool(false))),
            ])),
        ]))
        #expect(state.firstName == nil)
        #expect(state.fields == ["vip": .bool(false)])
    }

    @Test("a standard field of an unexpected type is kept, but not shown as the typed value")
    func unexpectedType() throws {
        let state = try #require(fold([Events.set(.standard(.firstName), .bool(true))]))
        #expect(state.firstName == nil)
        #expect(state.standardFields[.firstName] == .bool(true))
        #expect(state.document.firstName == "true")
    }

    @Test("identifiers: several per kind, the latest added still present is primary")
    func identifiers() throws {
        var state = try #require(fold([
            Events.created(),
            Events.added(.email, "a@example.com"),
            Events.added(.email, "b@example.com"),
            Events.added(.phone, "+380441234567"),
            Events.added(.externalId, "crm-1"),
        ]))
        #expect(state.emails == ["a@example.com", "b@example.com"])
        #expect(state.email == "b@example.com")
        #expect(state.phone == "+380441234567")
        #expect(state.externalId == "crm-1")
        #expect(state.identifiers(.externalId) == ["crm-1"])

        state = try #require(fold([Events.removed(.email, "b@example.com")], from: state, offset: 5))
        #expect(state.email == "a@example.com")
        state = try #require(fold([Events.added(.email, "b@example.com"), Events.added(.email, "a@example.com")], from: state, offset: 6))
        #expect(state.emails == ["b@example.com", "a@example.com"])
        state = try #require(fold([Events.removed(.phone, "+380441234567"), Events.removed(.phone, "+1")], from: state, offset: 8))
        #expect(state.phone == nil && state.phones.isEmpty)
    }

    @Test("an identifier that reads as erased adds or removes nothing")
    func erasedIdentifiers() throws {
        let state = try #require(fold([
            Events.added(.email, "a@example.com"),
            .identifierAdded(IdentifierChange(kind: .email, value: .erased)),
            .identifierRemoved(IdentifierChange(kind: .email, value: .erased)),
        ]))
        #expect(state.emails == ["a@example.com"])
        #expect(state.updatedAt == baseTime + 2_000_000)
    }

    @Test("segment membership is a set")
    func segments() throws {
        let add = { ContactEvent.segmentMemberAdded(SegmentMembership(segment: $0)) }
        let remove = { ContactEvent.segmentMemberRemoved(SegmentMembership(segment: $0)) }
        let state = try #require(fold([add("kyiv"), add("trial"), add("kyiv"), remove("trial"), remove("never")]))
        #expect(state.segments == ["kyiv"])
    }

    @Test("contact.merged records the absorbed contact once; the takeover comes as ordinary events")
    func merged() throws {
        let merged = { ContactEvent.contactMerged(ContactMerged(absorbed: StreamID($0))) }
        let state = try #require(fold([Events.created(), merged(17), merged(9), merged(17), Events.added(.email, "b@example.com")]))
        #expect(state.absorbed == [StreamID(17), StreamID(9)])
        #expect(state.email == "b@example.com")
    }

    @Test("contact.merged-away ends the fold; only contact.erased may follow")
    func mergedAway() throws {
        let away = try #require(fold([
            Events.created(),
            Events.added(.email, "a@example.com"),
            .contactMergedAway(ContactMergedAway(survivor: StreamID(4))),
        ]))
        #expect(away.mergedInto == StreamID(4))
        #expect(away.email == "a@example.com")

        let later = try #require(fold([Events.added(.email, "b@example.com"), Events.set(.custom("vip"), .bool(true))], from: away, offset: 3))
        #expect(later == away)

        let erased = try #require(fold([.contactErased(ContactErased(reason: "gdpr-request"))], from: away, offset: 5))
        #expect(erased.erased)
        #expect(erased.mergedInto == StreamID(4))
        #expect(erased.emails.isEmpty)
    }

    @Test("contact.erased forgets every personal value and ignores what follows")
    func erased() throws {
        let full = try #require(fold([
            Events.created(.form),
            Events.added(.email, "a@example.com"),
            Events.added(.phone, "+380441234567"),
            Events.added(.externalId, "crm-1"),
            Events.set(.standard(.firstName), .text("Ann")),
            Events.set(.custom("vip"), .bool(true)),
            Events.granted(.formSingleOptIn, evidence: .known(ConsentEvidence(ipAddress: "203.0.113.7"))),
            Events.requested("t1"),
            .segmentMemberAdded(SegmentMembership(segment: "kyiv")),
            .contactMerged(ContactMerged(absorbed: StreamID(17))),
        ]))
        let erased = try #require(fold([.contactErased(ContactErased(reason: "gdpr-request"))], from: full, offset: 10))
        var expected = ContactState(id: contactStream, createdAt: baseTime)
        expected = try #require(fold([.contactMerged(ContactMerged(absorbed: StreamID(17)))], from: expected, offset: 9))
        expected = try #require(fold([.contactErased(ContactErased(reason: "x"))], from: expected, offset: 10))
        #expect(erased == expected)
        #expect(erased.erased)
        #expect(erased.createdAt == baseTime)
        #expect(erased.updatedAt == baseTime + 10_000_000)
        #expect(erased.channel == nil && erased.emails.isEmpty && erased.phones.isEmpty && erased.externalIds.isEmpty)
        #expect(erased.standardFields.isEmpty && erased.fields.isEmpty && erased.consents.isEmpty)
        #expect(erased.segments.isEmpty)
        // Stream numbers are not personal: an erasure re-run after a crash follows them.
        #expect(erased.absorbed == [StreamID(17)])

        let after = try #require(fold([Events.added(.email, "b@example.com"), Events.granted(.api)], from: erased, offset: 11))
        #expect(after == erased)
    }

    @Test("updatedAt never goes back when a recording time does")
    func updatedAtMonotonic() throws {
        let state = try #require(fold([Events.created(), Events.added(.email, "a@example.com")], offset: 3))
        let earlier = ContactState.fold(state, Events.added(.phone, "+1"), meta: EventMeta(position: 9, stream: contactStream, recordedAt: baseTime))
        #expect(earlier?.updatedAt == state.updatedAt)
        #expect(earlier?.phone == "+1")
    }

    @Test("EventMeta takes position, stream and time from a recorded event")
    func metaFromRecorded() throws {
        let event = try recorded(Events.created(), position: 12, recordedAt: baseTime + 5)
        #expect(EventMeta(event) == EventMeta(position: 12, stream: contactStream, recordedAt: baseTime + 5))
    }

    @Test("the fold is deterministic and never returns nil for a contact event", arguments: 0..<50)
    func deterministic(seed: UInt64) {
        var random = RandomEvents(seed: seed)
        let events = random.events(count: 40)
        #expect(fold(events) == fold(events))
        for (index, event) in events.enumerated() {
            if case .fieldDefined = event { continue }
            #expect(ContactState.fold(nil, event, meta: meta(index)) != nil)
        }
    }
}
