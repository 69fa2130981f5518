/// `consent.withdrawn` v1: the contact no longer agrees to messages of one scope.
public struct ConsentWithdrawn: Hashable, Sendable {
    /// What the withdrawn consent covered.
    public var scope: ConsentScope
    /// How it was withdrawn.
    public var method: ConsentMethod
    /// The version of the wording the consent had been given under, when known.
    public var wordingVersion: String?
    /// Why, as a reason code or short phrase (`too-frequent`); never the person's own words,
    /// which would be personal data in the non-personal part.
    public var reason: String?
    /// Where the person acted from, when known; personal.
    public var evidence: Personal<ConsentEvidence>

    /// Describes a withdrawal.
    public init(
        scope: ConsentScope,
        method: ConsentMethod,
        wordingVersion: String?,
        reason: String?,
        evidence: Personal<ConsentEvidence> = .known(.none)
    ) {
        self.scope = scope
        self.method = method
        self.wordingVersion = wordingVersion
        self.reason = reason
        self.evidence = evidence
    }
}

extension ConsentWithdrawn: EventPayload {
    static func decode(version: UInt16, from payload: inout PayloadReader) throws(PayloadError) -> Self? {
        switch version {
        case 1: try decodeV1(&payload)
        default: nil
        }
    }

    static func decodeV1(_ payload: inout PayloadReader) throws(PayloadError) -> Self {
        let terms = try payload.readConsentTerms()
        let reason = try payload.readData { try $0.readOptionalString("withdrawal reason") }
        return Self(
            scope: terms.scope, method: terms.method, wordingVersion: terms.wordingVersion,
            reason: reason, evidence: try payload.readConsentEvidence()
        )
    }

    func encode(into payload: inout PayloadWriter) {
        payload.writeConsentTerms(scope, method, wordingVersion)
        payload.data.writeOptionalString(reason)
        payload.writeConsentEvidence(evidence)
    }

    var jsonObject: [String: JSONValue] {
        var object = consentJSON(scope, method, wordingVersion, evidence)
        if let reason { object["reason"] = .string(reason) }
        return object
    }
}
