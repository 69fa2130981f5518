/// `consent.withdrawn` v2: the contact no longer agrees to messages of one scope.
///
/// v2 admits the `operator` method and keeps an evidence note; a v1 payload reads as v2
/// unchanged otherwise.
public struct ConsentWithdrawn: Hashable, Sendable {
    /// What the withdrawn consent covered.
    public var scope: ConsentScope
    /// How it was withdrawn.
    public var method: ConsentMethod
    /// The version of the wording the consent had been given under, when known.
    public var wordingVersion: String?
    /// When it happened, in microseconds since 1970-01-01 UTC, when that was before the
    /// ledger recorded it (a consent migrated from another system); nil: when it was recorded.
    public var occurredAt: Int64?
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
        evidence: Personal<ConsentEvidence> = .known(.none),
        occurredAt: Int64? = nil
    ) {
        self.scope = scope
        self.method = method
        self.wordingVersion = wordingVersion
        self.reason = reason
        self.evidence = evidence
        self.occurredAt = occurredAt
    }
}

extension ConsentWithdrawn: EventPayload {
    static func decode(version: UInt16, from payload: inout PayloadReader) throws(PayloadError) -> Self? {
        switch version {
        // v1 and v2 differ only in what the shared parts admit, so one reader serves both.
        case 1, 2: try decode(storedAs: version, &payload)
        default: nil
        }
    }

    static func decode(storedAs version: UInt16, _ payload: inout PayloadReader) throws(PayloadError) -> Self {
        let terms = try payload.readConsentTerms(version: version)
        let reason = try payload.readData { try $0.readOptionalString("withdrawal reason") }
        return Self(
            scope: terms.scope, method: terms.method, wordingVersion: terms.wordingVersion,
            reason: reason, evidence: try payload.readConsentEvidence(version: version), occurredAt: terms.occurredAt
        )
    }

    func encode(into payload: inout PayloadWriter) {
        payload.writeConsentTerms(scope, method, wordingVersion, occurredAt: occurredAt)
        payload.data.writeOptionalString(reason)
        payload.writeConsentEvidence(evidence)
    }

    var jsonObject: [String: JSONValue] {
        var object = consentJSON(scope, method, wordingVersion, occurredAt, evidence)
        if let reason { object["reason"] = .string(reason) }
        return object
    }
}
