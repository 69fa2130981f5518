/// `contact.created` v2: a contact's first event, saying how it entered the ledger and the
/// consent it entered with.
///
/// It carries nothing personal: the identifiers and fields that came with the contact follow
/// as their own events, so a contact's whole history reads the same way. The consent a new
/// contact is created with on its sender's stated terms (an import's `--consent`, the API's
/// confirmed contacts) is part of the same act and is recorded here, not as a
/// `consent.granted` per channel (decision 0022): a grant with evidence or a time of its own,
/// and any consent given to a contact that already exists, is still its own event. v1 had no
/// consents and reads as v2 with none.
public struct ContactCreated: Hashable, Sendable {
    /// How the contact entered the ledger.
    public var channel: EntryChannel
    /// The consent it was created with, one per scope.
    public var consents: [CreationConsent]

    /// Describes a contact's creation.
    public init(channel: EntryChannel, consents: [CreationConsent] = []) {
        self.channel = channel
        self.consents = consents
    }

    /// The consents as the grants they are: each read exactly as a `consent.granted` with
    /// these terms, no evidence, happening when the creation was recorded.
    public var grants: [ConsentGranted] {
        consents.map(\.grant)
    }
}

/// A consent a contact is created with: a grant on its sender's stated terms, with no evidence
/// or time of its own (`ContactCreated`).
public struct CreationConsent: Hashable, Sendable {
    /// What the consent covers.
    public var scope: ConsentScope
    /// How it was given (`import`, `api`).
    public var method: ConsentMethod
    /// The status it puts the scope in.
    public var status: ConsentGrantStatus
    /// The version of the consent wording shown, when the sender said.
    public var wordingVersion: String?

    /// Describes a creation's consent.
    public init(scope: ConsentScope, method: ConsentMethod, status: ConsentGrantStatus, wordingVersion: String?) {
        self.scope = scope
        self.method = method
        self.status = status
        self.wordingVersion = wordingVersion
    }

    /// The grant it is.
    public var grant: ConsentGranted {
        ConsentGranted(scope: scope, method: method, status: status, wordingVersion: wordingVersion)
    }

    /// The creation consent a grant can be carried as: one with no evidence and no time of
    /// its own; nil for any other.
    public init?(carrying grant: ConsentGranted) {
        guard grant.occurredAt == nil, case .known(let evidence) = grant.evidence, evidence == .none else { return nil }
        self.init(scope: grant.scope, method: grant.method, status: grant.status, wordingVersion: grant.wordingVersion)
    }
}

extension ContactCreated: EventPayload {
    static func decode(version: UInt16, from payload: inout PayloadReader) throws(PayloadError) -> Self? {
        switch version {
        case 1: try decodeV1(&payload)
        case 2: try decodeV2(&payload)
        default: nil
        }
    }

    static func decodeV1(_ payload: inout PayloadReader) throws(PayloadError) -> Self {
        Self(channel: try payload.readData { try $0.readCode("entry channel") })
    }

    /// v2: the entry channel, a count, and per consent the consent terms (as consent events
    /// store them, with no time of its own) and the status.
    static func decodeV2(_ payload: inout PayloadReader) throws(PayloadError) -> Self {
        let (channel, count) = try payload.readData { reader in
            let channel: EntryChannel = try reader.readCode("entry channel")
            let count = try reader.readVarint("consent count")
            // Each consent takes several bytes, so the count cannot make us allocate more than
            // the buffer holds.
            guard count <= UInt64(reader.remaining) else { throw BinaryFormatError(offset: reader.offset, what: "consent count") }
            return (channel, Int(count))
        }
        var consents = [CreationConsent]()
        consents.reserveCapacity(count)
        for _ in 0..<count {
            let terms = try payload.readConsentTerms(version: 2)
            let status: ConsentGrantStatus = try payload.readData { reader in
                if terms.occurredAt != nil { throw BinaryFormatError(offset: reader.offset, what: "creation consent (a time of its own)") }
                return try reader.readCode("consent status")
            }
            consents.append(CreationConsent(scope: terms.scope, method: terms.method, status: status, wordingVersion: terms.wordingVersion))
        }
        return Self(channel: channel, consents: consents)
    }

    func encode(into payload: inout PayloadWriter) {
        payload.data.writeCode(channel)
        payload.data.writeVarint(UInt64(consents.count))
        for consent in consents {
            payload.writeConsentTerms(consent.scope, consent.method, consent.wordingVersion, occurredAt: nil)
            payload.data.writeCode(consent.status)
        }
    }

    var jsonObject: [String: JSONValue] {
        var object: [String: JSONValue] = ["channel": .string(channel.label)]
        if !consents.isEmpty {
            object["consents"] = .array(consents.map { consent in
                var entry: [String: JSONValue] = [
                    "channel": .string(consent.scope.channel.label),
                    "purpose": .string(consent.scope.purpose),
                    "method": .string(consent.method.label),
                    "status": .string(consent.status.label),
                ]
                if let wording = consent.wordingVersion { entry["wordingVersion"] = .string(wording) }
                return .object(entry)
            })
        }
        return object
    }
}
