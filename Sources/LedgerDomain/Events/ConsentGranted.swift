/// `consent.granted` v1: the contact agreed to messages of one scope.
public struct ConsentGranted: Hashable, Sendable {
    /// What the consent covers.
    public var scope: ConsentScope
    /// How it was given.
    public var method: ConsentMethod
    /// The version of the consent wording or policy shown; nil when the source did not say.
    public var wordingVersion: String?
    /// Where the person acted from, when known; personal.
    public var evidence: Personal<ConsentEvidence>

    /// Describes a grant.
    public init(
        scope: ConsentScope,
        method: ConsentMethod,
        wordingVersion: String?,
        evidence: Personal<ConsentEvidence> = .known(.none)
    ) {
        self.scope = scope
        self.method = method
        self.wordingVersion = wordingVersion
        self.evidence = evidence
    }
}

extension ConsentGranted: EventPayload {
    static func decode(version: UInt16, from payload: inout PayloadReader) throws(PayloadError) -> Self? {
        switch version {
        case 1: try decodeV1(&payload)
        default: nil
        }
    }

    static func decodeV1(_ payload: inout PayloadReader) throws(PayloadError) -> Self {
        let terms = try payload.readConsentTerms()
        return Self(
            scope: terms.scope, method: terms.method, wordingVersion: terms.wordingVersion,
            evidence: try payload.readConsentEvidence()
        )
    }

    func encode(into payload: inout PayloadWriter) {
        payload.writeConsentTerms(scope, method, wordingVersion)
        payload.writeConsentEvidence(evidence)
    }

    var jsonObject: [String: JSONValue] {
        consentJSON(scope, method, wordingVersion, evidence)
    }
}
