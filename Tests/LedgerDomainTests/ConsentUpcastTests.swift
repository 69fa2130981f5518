import Foundation
import LedgerDomain
import Testing

/// Consent payloads written as v1 (before the `operator` method, the evidence note and the
/// stated grant status), and `contact.created` v1 (before creation consents), still decode,
/// as the v2 shape with the meaning they had.
@Suite("Consent events: v1 payloads read as v2")
struct ConsentUpcastTests {
    /// v1 bytes as the released build wrote them (ContactEventFormatTests pinned these).
    static let grantedV1 = (
        data: "010a6e6577736c6574746572030107323032362d3039",
        personal: "01010b3230332e302e3131332e37012d4d6f7a696c6c612f352e3020285831313b204c696e7578207838365f3634292046697265666f782f3134302e30"
    )
    static let withdrawnV1 = (data: "02066f66666572730500010c746f6f2d6672657175656e74", personal: "01010b323030313a6462383a3a3100")
    static let confirmedV1 = (
        data: "010a6e6577736c6574746572040107323032362d30390a746f6b5f30314a395a33",
        personal: "01010d3139382e35312e3130302e323301184d61696c2f333737342043464e6574776f726b2f31343130"
    )

    static func decode(_ name: String, version: UInt16, _ parts: (data: String, personal: String)) throws -> ContactEvent {
        let data = try #require(Hex.decode(parts.data))
        let personal = try #require(Hex.decode(parts.personal))
        return try ContactEvent.decode(type: EventType(name, version: version), data: data[...], personal: personal[...])
    }

    @Test("a v1 contact.created reads as v2 with no consent; a v2 creation consent with a time of its own or a count past the end is malformed")
    func createdV1() throws {
        #expect(try Self.decode("contact.created", version: 1, (data: "01", personal: "")) == .contactCreated(ContactCreated(channel: .import)))
        let consent = ContactEvent.contactCreated(ContactCreated(channel: .api, consents: [
            CreationConsent(scope: ConsentScope(channel: .email, purpose: "marketing"), method: .api, status: .confirmed, wordingVersion: nil),
        ]))
        // v2 bytes as the released build wrote them: channel api (2), one consent.
        let data = "020101096d61726b6574696e6702000002"
        #expect(try Self.decode("contact.created", version: 2, (data: data, personal: "")) == consent)
        // The terms' "happened at" flag (the byte before the status) set, with a time.
        let timed = String(data.dropLast(4)) + "0102" + String(data.suffix(2))
        #expect(throws: DomainEventError.self) { try Self.decode("contact.created", version: 2, (data: timed, personal: "")) }
        #expect(throws: DomainEventError.self) { try Self.decode("contact.created", version: 2, (data: "0105", personal: "")) }
    }

    @Test("a v1 grant reads with the status its method implied")
    func grantedV1() throws {
        let event = try Self.decode("consent.granted", version: 1, Self.grantedV1)
        let expected = ConsentGranted(
            scope: ConsentScope(channel: .email, purpose: "newsletter"), method: .formSingleOptIn, status: .subscribed,
            wordingVersion: "2026-09", evidence: .known(ContactEventSamples.evidence))
        #expect(event == .consentGranted(expected))
        // The same bytes with the api method (code 2) meant confirmed.
        var api = Self.grantedV1
        api.data = api.data.replacingOccurrences(of: "7465720301", with: "7465720201")
        guard case .consentGranted(let granted) = try Self.decode("consent.granted", version: 1, api) else {
            Issue.record("not a grant")
            return
        }
        #expect(granted.method == .api)
        #expect(granted.status == .confirmed)
    }

    @Test("v1 withdrawals and confirmations read unchanged, with no evidence note")
    func otherV1() throws {
        let withdrawn = try Self.decode("consent.withdrawn", version: 1, Self.withdrawnV1)
        #expect(withdrawn == .consentWithdrawn(ConsentWithdrawn(
            scope: ConsentScope(channel: .sms, purpose: "offers"), method: .unsubscribeLink, wordingVersion: nil,
            reason: "too-frequent", evidence: .known(ConsentEvidence(ipAddress: "2001:db8::1")))))
        let confirmed = try Self.decode("consent.confirmed", version: 1, Self.confirmedV1)
        guard case .consentConfirmed(let value) = confirmed else {
            Issue.record("not a confirmation")
            return
        }
        #expect(value.method == .doubleOptIn)
        #expect(value.evidence.value?.note == nil)
        #expect(value.evidence.value?.ipAddress == "198.51.100.23")
    }

    @Test("the operator method does not exist in v1: such a payload is malformed, in v2 it reads")
    func operatorOnlyInV2() throws {
        var parts = Self.withdrawnV1
        // Method code 5 (unsubscribe link) becomes 6 (operator).
        parts.data = parts.data.replacingOccurrences(of: "7273050001", with: "7273060001")
        let error = try #require(throws: DomainEventError.self) { try Self.decode("consent.withdrawn", version: 1, parts) }
        #expect(error.code == .malformedData)
        #expect(error.description.contains("not defined in v1"))
        // v2's terms end with the occurred-at flag, its evidence slot with the note.
        parts.data = parts.data.replacingOccurrences(of: "7273060001", with: "727306000001")
        parts.personal += "00"
        guard case .consentWithdrawn(let withdrawn) = try Self.decode("consent.withdrawn", version: 2, parts) else {
            Issue.record("not a withdrawal")
            return
        }
        #expect(withdrawn.method == .operator)
    }

    @Test("a v2 grant keeps its stated status whatever the method")
    func statedStatus() throws {
        for method in ConsentMethod.allCases {
            for status in ConsentGrantStatus.allCases {
                let event = ContactEvent.consentGranted(ConsentGranted(
                    scope: ConsentScope(channel: .email, purpose: "marketing"), method: method, status: status, wordingVersion: nil,
                    evidence: .known(ConsentEvidence(note: "signed paper form 2026-03-02"))))
                let (data, personal) = event.encodedPayload
                #expect(try ContactEvent.decode(type: event.type, data: data[...], personal: personal[...]) == event)
            }
        }
    }
}

extension ConsentUpcastTests {
    @Test("when a consent happened is kept beside when it was recorded, in v2 only")
    func occurredAt() throws {
        let moment: Int64 = 1_690_000_000_123_456
        let event = ContactEvent.consentConfirmed(ConsentConfirmed(
            scope: ConsentScope(channel: .email, purpose: "marketing"), method: .doubleOptIn, wordingVersion: nil,
            tokenID: "mc-1", evidence: .known(ConsentEvidence(ipAddress: "198.51.100.7")), occurredAt: moment))
        let (data, personal) = event.encodedPayload
        #expect(try ContactEvent.decode(type: event.type, data: data[...], personal: personal[...]) == event)
        guard case .object(let json) = event.jsonPayload else {
            Issue.record("not an object")
            return
        }
        #expect(json["occurredAt"] == .string("2023-07-22T04:26:40.123456Z"))
        // v1 payloads have no such field: they read with none.
        guard case .consentConfirmed(let v1) = try Self.decode("consent.confirmed", version: 1, Self.confirmedV1) else {
            Issue.record("not a confirmation")
            return
        }
        #expect(v1.occurredAt == nil)
    }
}
