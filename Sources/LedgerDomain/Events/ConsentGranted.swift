/// `consent.granted` v2: the contact agreed to messages of one scope, and whether that
/// agreement is confirmed.
///
/// v1 left the status to the method (API and double opt-in grants confirmed); v2 states it,
/// admits the `operator` method, keeps an evidence note and when the consent happened. A v1 payload reads as v2 with the
/// status its method implied (`upcastV1toV2`).
public struct ConsentGranted: Hashable, Sendable {
    /// What the consent covers.
    public var scope: ConsentScope
    /// How it was given.
    public var method: ConsentMethod
    /// The status the grant puts the scope in.
    public var status: ConsentGrantStatus
    /// The version of the consent wording or policy shown; nil when the source did not say.
    public var wordingVersion: String?
    /// When it happened, in microseconds since 1970-01-01 UTC, when that was before the
    /// ledger recorded it (a consent migrated from another system); nil: when it was recorded.
    public var occurredAt: Int64?
    /// Where the person acted from, when known; personal.
    public var evidence: Personal<ConsentEvidence>

    /// Describes a grant.
    public init(
        scope: ConsentScope,
        method: ConsentMethod,
        status: ConsentGrantStatus,
        wordingVersion: String?,
        evidence: Personal<ConsentEvidence> = .known(.none),
        occurredAt: Int64? = nil
    ) {
        self.scope = scope
        self.method = method
        self.status = status
        self.wordingVersion = wordingVersion
        self.evidence = evidence
        self.occurredAt = occurredAt
    }
}

extension ConsentGranted: EventPayload {
    static func decode(version: UInt16, from payload: inout PayloadReader) throws(PayloadError) -> Self? {
        switch version {
        case 1: upcastV1toV2(try decodeV1(&payload))
        case 2: try decodeV2(&payload)
        default: nil
        }
    }

    /// The v1 shape: no status, no evidence note.
    struct V1 {
        var scope: ConsentScope
        var method: ConsentMethod
        var wordingVersion: String?
        var evidence: Personal<ConsentEvidence>
    }

    static func decodeV1(_ payload: inout PayloadReader) throws(PayloadError) -> V1 {
        let terms = try payload.readConsentTerms(version: 1)
        return V1(
            scope: terms.scope, method: terms.method, wordingVersion: terms.wordingVersion,
            evidence: try payload.readConsentEvidence(version: 1)
        )
    }

    /// A v1 grant meant confirmed when its method was API or double opt-in.
    static func upcastV1toV2(_ old: V1) -> Self {
        Self(
            scope: old.scope, method: old.method, status: .impliedByV1(old.method),
            wordingVersion: old.wordingVersion, evidence: old.evidence
        )
    }

    static func decodeV2(_ payload: inout PayloadReader) throws(PayloadError) -> Self {
        let terms = try payload.readConsentTerms(version: 2)
        let status: ConsentGrantStatus = try payload.readData { try $0.readCode("consent status") }
        return Self(
            scope: terms.scope, method: terms.method, status: status, wordingVersion: terms.wordingVersion,
            evidence: try payload.readConsentEvidence(version: 2), occurredAt: terms.occurredAt
        )
    }

    func encode(into payload: inout PayloadWriter) {
        payload.writeConsentTerms(scope, method, wordingVersion, occurredAt: occurredAt)
        payload.data.writeCode(status)
        payload.writeConsentEvidence(evidence)
    }

    var jsonObject: [String: JSONValue] {
        var object = consentJSON(scope, method, wordingVersion, occurredAt, evidence)
        object["status"] = .string(status.label)
        return object
    }
}
