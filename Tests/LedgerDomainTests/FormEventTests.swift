import Foundation
import LedgerDomain
import Testing

/// The form family (issue 19): round trips, the family dispatch, refusals, and the committed
/// examples `tools/validate-schemas` checks against the schemas.
@Suite("Form events")
struct FormEventTests {
    static let definition = FormDefinition(
        name: "newsletter", title: "Our newsletter",
        fields: [FormField(key: "email", label: "E-mail", required: true), FormField(key: "firstName", label: "First name", required: false), FormField(key: "city", label: "Місто", required: false)],
        segments: ["spring"], doubleOptIn: true, purpose: "marketing",
        consentText: "I agree to receive the newsletter. Unsubscribe at any time.", consentVersion: 2,
        redirectURL: "https://shop.example.com/thanks", allowedOrigins: ["https://shop.example.com"],
        wixTokenSHA256: (0..<32).map { UInt8($0 * 7 & 0xFF) }, wixPublicKey: "", wixFieldMap: ["field:comp-k1": "city"],
        reminderAfterHours: 48, tokenLifetimeHours: 168,
        mailSubject: "Please confirm, {{firstName}}", mailText: "Confirm: {{confirmUrl}}", mailHTML: ""
    )
    static let defined = FormEvent.defined(definition)
    static let updated = FormEvent.updated({
        var next = definition
        next.consentVersion = 3
        next.doubleOptIn = false
        next.redirectURL = nil
        next.wixTokenSHA256 = []
        return next
    }())
    static let spam = FormEvent.spamReceived(FormSpamReceived(formVersion: 3, reason: "honeypot"))

    @Test("each event reads back as written, through the family dispatch", arguments: [defined, updated, spam])
    func roundTrip(event: FormEvent) throws {
        let stored = try ContactEventTests.recorded(event.newEvent(actor: Actor(.user, "olena"), source: .cli(command: "form create")), position: 4)
        #expect(try FormEvent(decoding: stored) == event)
        #expect(try LedgerEvent(decoding: stored) == .forms(event))
        #expect(try LedgerEvent(decoding: stored).family == .forms)
        #expect(try LedgerEvent(decoding: stored).contactEvent == nil, "contact projectors pass over it")
        #expect(EventFamily(typeName: event.type.name) == .forms)
        #expect(stored.personalData.isEmpty, "form events carry no personal data")
    }

    @Test("an unknown version or trailing bytes are errors naming the type, never a crash")
    func refusals() throws {
        var new = Self.defined.newEvent(actor: Actor(.user, "u"), source: .cli(command: "c"))
        new.type = EventType("form.defined", version: 2)
        #expect(throws: DomainEventError.self) { try FormEvent(decoding: try ContactEventTests.recorded(new)) }
        new = Self.spam.newEvent(actor: Actor(.user, "u"), source: .cli(command: "c"))
        new.data += [9]
        let error = try #require(throws: DomainEventError.self) { try FormEvent(decoding: try ContactEventTests.recorded(new, position: 7)) }
        #expect(error.code == .malformedData)
        #expect(error.position == 7)
        new = Self.defined.newEvent(actor: Actor(.user, "u"), source: .cli(command: "c"))
        new.data = Array(new.data.prefix(10))
        #expect(throws: DomainEventError.self) { try FormEvent(decoding: try ContactEventTests.recorded(new)) }
    }

    @Test("the canonical JSON equals the committed examples")
    func examples() throws {
        try CanonicalJSONTests.check(Self.defined.jsonPayload, against: "events/form.defined.v1.json")
        try CanonicalJSONTests.check(Self.updated.jsonPayload, against: "events/form.updated.v1.json")
        try CanonicalJSONTests.check(Self.spam.jsonPayload, against: "events/form.spam-received.v1.json")
        guard case .object(let object) = Self.defined.jsonPayload else { throw CancellationError() }
        #expect(object["wixTokenSha256"] == .string((0..<32).map { String(format: "%02x", $0 * 7 & 0xFF) }.joined()))
        #expect(object["consentVersion"] == .number(2))
    }
}
