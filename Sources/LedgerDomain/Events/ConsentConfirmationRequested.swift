/// `consent.confirmation-requested` v2: a double opt-in confirmation message was sent.
public struct ConsentConfirmationRequested: Hashable, Sendable {
    /// What the consent will cover once confirmed.
    public var scope: ConsentScope
    /// How the consent was asked for (usually double opt-in).
    public var method: ConsentMethod
    /// The version of the consent wording shown, when known.
    public var wordingVersion: String?
    /// The confirmation token's id, which `consent.confirmed` repeats; never its secret.
    public var tokenID: String
    /// Where the sign-up came from, when known; personal.
    public var evidence: Personal<ConsentEvidence>

    /// Describes a confirmation request.
    public init(
        scope: ConsentScope,
        method: ConsentMethod,
        wordingVersion: String?,
        tokenID: String,
        evidence: Personal<ConsentEvidence> = .known(.none)
    ) {
        self.scope = scope
        self.method = method
        self.wordingVersion = wordingVersion
        self.tokenID = tokenID
        self.evidence = evidence
    }
}

extension ConsentConfirmationRequested: EventPayload {
    static func decode(version: UInt16, from payload: inout PayloadReader) throws(PayloadError) -> Self? {
        switch version {
        // v1 and v2 differ only in what the shared parts admit, so one reader serves both.
        case 1, 2: try decode(storedAs: version, &payload)
        default: nil
        }
    }

    static func decode(storedAs version: UInt16, _ payload: inout PayloadReader) throws(PayloadError) -> Self {
        let terms = try payload.readConsentTerms(version: version)
        let token = try payload.readData { try $0.readString("token id") }
        return Self(
            scope: terms.scope, method: terms.method, wordingVersion: terms.wordingVersion,
            tokenID: token, evidence: try payload.readConsentEvidence(version: version)
        )
    }

    func encode(into payload: inout PayloadWriter) {
        payload.writeConsentTerms(scope, method, wordingVersion)
        payload.data.writeString(tokenID)
        payload.writeConsentEvidence(evidence)
    }

    var jsonObject: [String: JSONValue] {
        var object = consentJSON(scope, method, wordingVersion, evidence)
        object["tokenId"] = .string(tokenID)
        return object
    }
}
