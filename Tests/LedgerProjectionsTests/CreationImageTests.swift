import LedgerDomain
@testable import LedgerProjections
import Testing

/// A new contact's state written from its events without folding (`SharedContactState
/// .init?(creating:)`, what a bulk import's preparer does) is the state the fold gives: the
/// same stored bytes wherever it is placed, and the same state read back.
@Suite("A creation's state written without folding")
struct CreationImageTests {
    /// The fold of `events` from none, unplaced as a preparer folds them.
    static func folded(_ events: [ContactEvent]) -> ContactState? {
        var state: ContactState?
        for (index, event) in events.enumerated() { ContactState.fold(into: &state, event, meta: .unplaced(index)) }
        return state
    }

    /// Checks the written state against the fold; returns whether it was written.
    static func check(_ events: [ContactEvent], sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        guard let shared = SharedContactState(creating: events) else { return false }
        let folded = Self.folded(events)
        for (stream, recordedAt, first) in [(StreamID(1), Int64(1_000), UInt64(1)), (StreamID(90_001), Int64(1_767_225_600_000_000), UInt64(4_000_000))] {
            var written = BinaryWriter(capacity: 64)
            shared.encode(placedIn: stream, recordedAt: recordedAt, firstPosition: first, into: &written)
            #expect(written.bytes == folded?.placed(stream: stream, recordedAt: recordedAt, firstPosition: first).encoded(), "\(events)", sourceLocation: sourceLocation)
        }
        #expect(shared.state == folded, "\(events)", sourceLocation: sourceLocation)
        for kind in IdentifierKind.allCases {
            var listed = [String]()
            shared.forEachIdentifier(kind) { listed.append($0) }
            #expect(listed == folded?.identifiers(kind), "\(kind) of \(events)", sourceLocation: sourceLocation)
        }
        #expect(shared.isIndexed)
        return true
    }

    static let created = ContactCreated(
        channel: .import,
        consents: [
            CreationConsent(scope: ConsentScope(channel: .sms, purpose: "marketing"), method: .import, status: .confirmed, wordingVersion: nil),
            CreationConsent(scope: ConsentScope(channel: .email, purpose: "marketing"), method: .import, status: .subscribed, wordingVersion: "w3"),
        ],
        identifiers: [IdentifierChange(kind: .email, value: "a@example.com"), IdentifierChange(kind: .phone, value: "+380441234567")],
        fields: [
            FieldChange(field: .standard(.lastName), from: nil, to: .text("Bondar")),
            FieldChange(field: .standard(.firstName), from: nil, to: .text("Олена")),
            FieldChange(field: .custom("tier"), from: nil, to: .text("gold")),
            FieldChange(field: .custom("ltv"), from: nil, to: DecimalNumber("1250.5").map(FieldValue.number)),
            FieldChange(field: .standard(.birthDate), from: nil, to: CalendarDate(year: 1990, month: 5, day: 1).map(FieldValue.date)),
        ]
    )

    @Test("what an import creates: identifiers, fields, stated consents, then segments and migrated consent steps")
    func importShapes() {
        let marketing = ConsentScope(channel: .email, purpose: "marketing")
        let news = ConsentScope(channel: .email, purpose: "news")
        #expect(Self.check([.contactCreated(Self.created)]))
        #expect(Self.check([.contactCreated(ContactCreated(channel: .api, identifiers: [IdentifierChange(kind: .externalId, value: "crm-7")]))]))
        #expect(Self.check([.contactCreated(ContactCreated(channel: .form))]))
        #expect(Self.check([
            .contactCreated(Self.created),
            .segmentMemberAdded(SegmentMembership(segment: "vip")),
            .segmentMemberAdded(SegmentMembership(segment: "spring")),
            .segmentMemberAdded(SegmentMembership(segment: "vip")),
            .consentGranted(ConsentGranted(scope: news, method: .import, status: .subscribed, wordingVersion: nil, evidence: .known(ConsentEvidence(ipAddress: "198.51.100.7")), occurredAt: 1_678_785_165_000_000)),
            .consentGranted(ConsentGranted(scope: news, method: .import, status: .confirmed, wordingVersion: nil, evidence: .known(ConsentEvidence(ipAddress: "203.0.113.9")), occurredAt: 1_678_785_602_000_000)),
            .consentWithdrawn(ConsentWithdrawn(scope: news, method: .import, wordingVersion: nil, reason: "NORMAL", evidence: .known(.none), occurredAt: 1_725_263_100_000_000)),
            .consentGranted(ConsentGranted(scope: marketing, method: .import, status: .confirmed, wordingVersion: nil)),
        ]))
        // A value given twice keeps the later; an erased value sets nothing.
        #expect(Self.check([.contactCreated(ContactCreated(
            channel: .import,
            identifiers: [IdentifierChange(kind: .email, value: "a@example.com"), IdentifierChange(kind: .email, value: "a@example.com"), IdentifierChange(kind: .phone, value: .erased)],
            fields: [
                FieldChange(field: .custom("tier"), from: nil, to: .text("gold")),
                FieldChange(field: .custom("tier"), from: nil, to: .text("silver")),
                FieldChange(field: .standard(.languageCode), old: .known(nil), new: .erased),
            ]))]))
    }

    @Test("anything but a plain creation is left to the fold")
    func leftToTheFold() {
        let removed: [ContactEvent] = [.contactCreated(Self.created), .segmentMemberRemoved(SegmentMembership(segment: "vip"))]
        #expect(SharedContactState(creating: removed) == nil)
        #expect(SharedContactState(creating: [.contactCreated(Self.created), .identifierAdded(IdentifierChange(kind: .email, value: "b@example.com"))]) == nil)
        #expect(SharedContactState(creating: [.segmentMemberAdded(SegmentMembership(segment: "vip"))]) == nil)
        #expect(SharedContactState(creating: []) == nil)
        // Two e-mail addresses: the fold's list order is its own to decide.
        #expect(SharedContactState(creating: [.contactCreated(ContactCreated(
            channel: .import, identifiers: [IdentifierChange(kind: .email, value: "a@example.com"), IdentifierChange(kind: .email, value: "b@example.com")]))]) == nil)
    }

    @Test("random creations followed by random events: every one written is the fold's", arguments: [7, 8, 9] as [UInt64])
    func randomCreations(seed: UInt64) {
        var random = RandomEvents(seed: seed)
        var written = 0
        var attempts = 0
        while attempts < 3_000 {
            let creation = random.event()
            guard case .contactCreated(var created) = creation else { continue }
            attempts += 1
            // Consents on stated terms, as an import's default gives them.
            for (index, channel) in [ConsentChannel.email, .sms, .webpush].enumerated() where Int.random(in: 0..<3, using: &random.generator) > 0 {
                created.consents.append(CreationConsent(scope: ConsentScope(channel: channel, purpose: "offers"), method: .import, status: index == 1 ? .subscribed : .confirmed, wordingVersion: nil))
            }
            var events: [ContactEvent] = [.contactCreated(created)]
            for _ in 0..<Int.random(in: 0...4, using: &random.generator) {
                let next = random.event()
                switch next {
                case .segmentMemberAdded, .consentGranted, .consentWithdrawn: events.append(next)
                default: continue
                }
            }
            if Self.check(events) { written += 1 }
        }
        // Only two identifiers of one kind with different values are left to the fold.
        #expect(written > attempts / 2, "\(written) of \(attempts) written")
    }
}
