import Foundation
import LedgerDomain
import LedgerStore
import Testing

/// Small contact bases appended straight into a ledger, for the export and rebuild tests.
enum ContactFixtures {
    /// When every fixture event is recorded (2026-01-02T03:04:05Z), so that exports are stable.
    static let recordedAt: Int64 = 1_767_323_045_000_000

    /// A path for a new ledger in the temporary folder.
    static func newStorePath() -> String {
        NSTemporaryDirectory() + "ledger-cli-contacts-\(UUID().uuidString)"
    }

    /// Opens (creating) the ledger at `directory` with the fixed clock.
    static func open(_ directory: String) throws -> Ledger {
        try Ledger(directory: directory, options: Ledger.Options(clock: { recordedAt }))
    }

    /// Appends `events` to `stream`, or to a new stream when it is nil; returns the stream.
    @discardableResult
    static func append(_ ledger: Ledger, _ stream: StreamID?, _ events: [ContactEvent]) throws -> StreamID {
        let newEvents = events.map { $0.newEvent(actor: Actor(.user, "cli-test"), source: .cli(command: "test")) }
        let target: AppendRequest.Target = stream.map { .existing($0) } ?? .new
        return try ledger.append(AppendRequest(target: target, events: newEvents)).stream
    }

    /// A field change from nothing to `value`.
    static func change(_ field: ContactField, _ value: FieldValue) -> FieldChange {
        FieldChange(field: field, from: nil, to: value)
    }

    /// A contact with only an e-mail address.
    @discardableResult
    static func addMinimal(_ ledger: Ledger, email: String) throws -> StreamID {
        try append(ledger, nil, [
            .contactCreated(ContactCreated(channel: .api)),
            .identifierAdded(IdentifierChange(kind: .email, value: email)),
        ])
    }

    /// The base the snapshots record, in a new ledger; returns its directory.
    ///
    /// Three live contacts: one with every standard field, custom fields of each type (a text
    /// holding a comma and double quotes), two consents and two segments; one whose name holds
    /// double quotes and whose note holds a line break, with a withdrawn consent; one with only
    /// an e-mail. Also an erased contact, a contact merged into the first (with a custom field
    /// of its own, which must not make a column), and a stream of events that are not contact
    /// events.
    static func smallBase() throws -> String {
        let directory = newStorePath()
        let ledger = try open(directory)
        defer { ledger.close() }
        let score = try #require(DecimalNumber("12.50"))
        let born = try #require(CalendarDate(year: 1990, month: 4, day: 12))
        let olena = try append(ledger, nil, [
            .contactCreated(ContactCreated(channel: .import)),
            .identifierAdded(IdentifierChange(kind: .externalId, value: "crm-001")),
            .identifierAdded(IdentifierChange(kind: .email, value: "olena@example.com")),
            .identifierAdded(IdentifierChange(kind: .phone, value: "+380671234567")),
            .contactFieldsChanged(ContactFieldsChanged(changes: [
                change(.standard(.firstName), .text("Olena")),
                change(.standard(.lastName), .text("Kovalenko")),
                change(.standard(.birthDate), .date(born)),
                change(.standard(.languageCode), .text("uk")),
                change(.standard(.timeZone), .text("Europe/Kyiv")),
                change(.custom("city"), .text(#"Kyiv, "Podil" district"#)),
                change(.custom("score"), .number(score)),
                change(.custom("vip"), .bool(true)),
            ])),
            .consentGranted(ConsentGranted(scope: ConsentScope(channel: .email, purpose: "newsletter"), method: .api, status: .confirmed, wordingVersion: "v1")),
            .consentGranted(ConsentGranted(scope: ConsentScope(channel: .sms, purpose: "offers"), method: .import, status: .subscribed, wordingVersion: nil)),
            .segmentMemberAdded(SegmentMembership(segment: "newsletter")),
            .segmentMemberAdded(SegmentMembership(segment: "customers")),
        ])
        try append(ledger, nil, [
            .contactCreated(ContactCreated(channel: .form)),
            .identifierAdded(IdentifierChange(kind: .email, value: "bohdan@example.com")),
            .contactFieldsChanged(ContactFieldsChanged(changes: [
                change(.standard(.firstName), .text(#"Bohdan "Bo""#)),
                change(.standard(.lastName), .text("Shevchenko")),
                change(.custom("note"), .text("line one\nline two")),
            ])),
            .consentGranted(ConsentGranted(scope: ConsentScope(channel: .email, purpose: "newsletter"), method: .formSingleOptIn, status: .subscribed, wordingVersion: "v1")),
            .consentWithdrawn(ConsentWithdrawn(scope: ConsentScope(channel: .email, purpose: "newsletter"), method: .unsubscribeLink, wordingVersion: "v1", reason: nil)),
            .segmentMemberAdded(SegmentMembership(segment: "customers")),
        ])
        try addMinimal(ledger, email: "minimal@example.com")
        let erased = try append(ledger, nil, [
            .contactCreated(ContactCreated(channel: .cli)),
            .identifierAdded(IdentifierChange(kind: .email, value: "erased@example.com")),
            .contactFieldsChanged(ContactFieldsChanged(changes: [change(.custom("secret"), .text("gone"))])),
        ])
        try append(ledger, erased, [.contactErased(ContactErased(reason: "request"))])
        let absorbed = try append(ledger, nil, [
            .contactCreated(ContactCreated(channel: .import)),
            .identifierAdded(IdentifierChange(kind: .email, value: "merged@example.com")),
            .contactFieldsChanged(ContactFieldsChanged(changes: [change(.custom("legacy"), .text("old"))])),
        ])
        try append(ledger, absorbed, [.contactMergedAway(ContactMergedAway(survivor: olena))])
        try append(ledger, olena, [.contactMerged(ContactMerged(absorbed: absorbed))])
        _ = try ledger.append(.newStream([NewEvent(
            type: EventType("test.happened", version: 1),
            actor: Actor(.system, "cli-test"),
            source: .system(reason: "noise")
        )]))
        return directory
    }
}
