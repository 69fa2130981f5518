/// `consent.confirmed` v2: the contact confirmed a requested consent (double opt-in).
public struct ConsentConfirmed: Hashable, Sendable {
    /// What the consent covers.
    public var scope: ConsentScope
    /// How the consent was given (usually double opt-in).
    public var method: ConsentMethod
    /// The version of the consent wording confirmed, when known.
    public var wordingVersion: String?
    /// When it happened, in microseconds since 1970-01-01 UTC, when that was before the
    /// ledger recorded it (a consent migrated from another system); nil: when it was recorded.
    public var occurredAt: Int64?
    /// The id of the token that was confirmed, as in `consent.confirmation-requested`.
    public var tokenID: String
    /// Where the confirmation came from, when known; personal.
    public var evidence: Personal<ConsentEvidence>

    /// Describes a confirmation.
    public init(
        scope: ConsentScope,
        method: ConsentMethod,
        wordingVersion: String?,
        tokenID: String,
        evidence: Personal<ConsentEvidence> = .known(.none),
        occurredAt: Int64? = nil
    ) {
        self.scope = scope
        self.method = method
        self.wordingVersion = wordingVersion
        self.tokenID = tokenID
        self.evidence = evidence
        self.occurredAt = occurredAt
    }
}

extension ConsentConfirmed: EventPayload {
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
            tokenID: token, evidence: try payload.readConsentEvidence(version: version), occurredAt: terms.occurredAt
        )
    }

    func encode(into payload: inout PayloadWriter) {
        payload.writeConsentTerms(scope, method, wordingVersion, occurredAt: occurredAt)
        payload.data.writeString(tokenID)
        payload.writeConsentEvidence(evidence)
    }

    var jsonObject: [String: JSONValue] {
        var object = consentJSON(scope, method, wordingVersion, occurredAt, evidence)
        object["tokenId"] = .string(tokenID)
        return object
    }
}
