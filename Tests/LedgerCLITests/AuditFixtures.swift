import Foundation
import LedgerDomain
import LedgerStore
import Testing

/// The base the audit command tests read: four contacts changed over a week by a user at the
/// CLI and in imports, an API key, a form and a migration, with deterministic times and ids.
///
/// 1. Olena (import of spring.csv row 2 by user:olha): changed by api-key:crm-sync, double
///    opt-in by form:signup with evidence, renamed at the CLI, consent withdrawn by the API,
///    and absorbing contact 4 by a merge.
/// 2. Bohdan (spring.csv row 3): renamed by the API; later put in a segment by system:crm-sync.
/// 3. Taras (migration by system:migrator), every personal value sealed: reads `[erased]`.
/// 4. A duplicate of Olena added at the CLI, merged into 1.
enum AuditFixtures {
    /// The newsletter scope most consent events are about.
    static let newsletter = ConsentScope(channel: .email, purpose: "newsletter")
    /// A fixed file digest for the imported file.
    static let springDigest = FileDigest(bytes: [UInt8](repeating: 0xAB, count: 32)) ?? .zero

    /// Appends to one ledger with a clock fixed per call and event ids numbered from 1.
    final class Writer {
        let directory: String
        private var nextID: UInt64 = 1

        init(directory: String) {
            self.directory = directory
        }

        /// Appends `events` to `stream` (a new one when nil) at time `at` (ISO 8601); with
        /// `sealed`, the personal part is scrambled and flagged as sealed, as crypto-shredding leaves it.
        @discardableResult
        func record(at time: String, _ actor: Actor, _ source: Source, to stream: StreamID?, sealed: Bool = false, _ events: [ContactEvent]) throws -> StreamID {
            let moment = try #require(Timestamp.parse(time))
            let ledger = try Ledger(directory: directory, options: Ledger.Options(clock: { moment }))
            defer { ledger.close() }
            let newEvents = events.map { event -> NewEvent in
                var new = event.newEvent(id: EventID(high: 0x0190_0000_0000_7000, low: 0x8000_0000_0000_0000 | nextID), actor: actor, source: source)
                nextID += 1
                // The base is a log as builds before decision 0026 wrote it: a creation is v2
                // (v3's layout without its two empty lists), its identifiers and fields events
                // of their own. The audit commands must keep showing such logs as they did.
                if case .contactCreated(let created) = event, !created.carriesValues, new.data.suffix(2) == [0, 0] {
                    new.data.removeLast(2)
                    new.type = EventType("contact.created", version: 2)
                }
                if sealed {
                    new.personalData = new.personalData.map { $0 ^ 0x5A }
                    new.personalDataSealed = true
                }
                return new
            }
            let target: AppendRequest.Target = stream.map { .existing($0) } ?? .new
            return try ledger.append(AppendRequest(target: target, events: newEvents)).stream
        }
    }

    static func fields(_ changes: (ContactField, FieldValue?, FieldValue?)...) -> ContactEvent {
        .contactFieldsChanged(ContactFieldsChanged(changes: changes.map { FieldChange(field: $0.0, from: $0.1, to: $0.2) }))
    }

    static func added(_ kind: IdentifierKind, _ value: String) -> ContactEvent {
        .identifierAdded(IdentifierChange(kind: kind, value: value))
    }

    /// Builds the base in a new ledger; returns its directory.
    static func base() throws -> String {
        let directory = ContactFixtures.newStorePath()
        let writer = Writer(directory: directory)
        let olha = Actor(.user, "olha")
        let crm = Actor(.apiKey, "crm-sync")
        let signup = Actor(.form, "signup")
        let score = try #require(DecimalNumber("12.5"))
        let browser = ConsentEvidence(ipAddress: "203.0.113.7", userAgent: "Mozilla/5.0 (X11; Linux)")

        let olena = try writer.record(at: "2026-01-02T09:00:00Z", olha, .file(name: "spring.csv", sha256: springDigest, row: 2), to: nil, [
            .contactCreated(ContactCreated(channel: .import)),
            added(.email, "olena@example.com"),
            added(.phone, "+380671234567"),
            fields((.standard(.firstName), nil, .text("Olena")), (.standard(.lastName), nil, .text("Kovalenko")), (.custom("city"), nil, .text("Kyiv"))),
            .consentGranted(ConsentGranted(scope: newsletter, method: .import, status: .subscribed, wordingVersion: "v1")),
            .segmentMemberAdded(SegmentMembership(segment: "spring")),
        ])
        let bohdan = try writer.record(at: "2026-01-02T09:00:00Z", olha, .file(name: "spring.csv", sha256: springDigest, row: 3), to: nil, [
            .contactCreated(ContactCreated(channel: .import)),
            added(.email, "bohdan@example.com"),
            fields((.standard(.firstName), nil, .text("Bohdan"))),
        ])
        try writer.record(at: "2026-01-03T10:15:00Z", crm, .api(key: "crm-sync", requestID: "req-7"), to: olena, [
            fields((.standard(.lastName), .text("Kovalenko"), .text("Shevchenko")), (.custom("score"), nil, .number(score))),
            added(.externalId, "crm-001"),
        ])
        try writer.record(at: "2026-01-03T10:16:00Z", crm, .api(key: "crm-sync", requestID: "req-8"), to: bohdan, [
            fields((.standard(.firstName), .text("Bohdan"), .text(#"Bohdan "Bo""#))),
            .consentGranted(ConsentGranted(scope: ConsentScope(channel: .sms, purpose: "offers"), method: .api, status: .confirmed, wordingVersion: nil)),
        ])
        try writer.record(at: "2026-01-04T11:00:00Z", signup, .form(formID: "signup", submissionID: "sub-42"), to: olena, [
            .consentConfirmationRequested(ConsentConfirmationRequested(scope: newsletter, method: .doubleOptIn, wordingVersion: "v2", tokenID: "tok-1", evidence: .known(browser))),
        ])
        try writer.record(at: "2026-01-04T11:30:00Z", signup, .form(formID: "signup", submissionID: "sub-43"), to: olena, [
            .consentConfirmed(ConsentConfirmed(scope: newsletter, method: .doubleOptIn, wordingVersion: "v2", tokenID: "tok-1", evidence: .known(ConsentEvidence(ipAddress: "203.0.113.8", userAgent: browser.userAgent)))),
        ])
        try writer.record(at: "2026-01-05T08:00:00Z", Actor(.system, "migrator"), .migration(batch: "esputnik-2025", entry: 17), to: nil, sealed: true, [
            .contactCreated(ContactCreated(channel: .migration)),
            added(.email, "taras@example.com"),
            fields((.standard(.firstName), nil, .text("Taras"))),
            .consentGranted(ConsentGranted(scope: ConsentScope(channel: .webpush, purpose: "marketing"), method: .import, status: .subscribed, wordingVersion: "v1", evidence: .known(ConsentEvidence(ipAddress: "198.51.100.4")))),
        ])
        try writer.record(at: "2026-01-06T12:00:00Z", olha, .cli(command: "contact update"), to: olena, [
            fields((.standard(.firstName), .text("Olena"), .text("Olha"))),
            .segmentMemberRemoved(SegmentMembership(segment: "spring")),
            .segmentMemberAdded(SegmentMembership(segment: "vip")),
        ])
        try writer.record(at: "2026-01-07T07:45:00Z", crm, .api(key: "crm-sync", requestID: "req-9"), to: olena, [
            .consentWithdrawn(ConsentWithdrawn(scope: newsletter, method: .unsubscribeLink, wordingVersion: "v2", reason: "too-frequent", evidence: .known(ConsentEvidence(ipAddress: "203.0.113.9")))),
        ])
        let duplicate = try writer.record(at: "2026-01-08T09:00:00Z", olha, .cli(command: "contact add"), to: nil, [
            .contactCreated(ContactCreated(channel: .cli)),
            added(.email, "olena.old@example.com"),
            fields((.custom("city"), nil, .text("Lviv"))),
        ])
        try writer.record(at: "2026-01-08T09:05:00Z", olha, .cli(command: "contact merge"), to: duplicate, [
            .contactMergedAway(ContactMergedAway(survivor: olena)),
        ])
        try writer.record(at: "2026-01-08T09:05:00Z", olha, .cli(command: "contact merge"), to: olena, [
            .contactMerged(ContactMerged(absorbed: duplicate)),
            added(.email, "olena.old@example.com"),
        ])
        try writer.record(at: "2026-01-09T00:00:00Z", Actor(.system, "crm-sync"), .system(reason: "nightly-segments"), to: bohdan, [
            .segmentMemberAdded(SegmentMembership(segment: "customers")),
        ])
        return directory
    }

    /// Runs `ledger` with `arguments` and `--store store`, expecting success; returns stdout.
    static func ledger(_ store: String, _ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try Executables.run("ledger", arguments + ["--store", store])
        #expect(result.status == 0, "ledger \(arguments.joined(separator: " ")): \(result.stderr)", sourceLocation: sourceLocation)
        return result.stdout
    }

    /// Parses JSON text that must be an array of objects.
    static func objects(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]], sourceLocation: sourceLocation)
    }
}
