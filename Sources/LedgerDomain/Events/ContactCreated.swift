/// `contact.created` v3: a contact's first event, saying how it entered the ledger and what
/// it entered with: the consent (decision 0022), the identifiers and the field values
/// (decision 0026).
///
/// A new contact is one act of one sender, recorded as one event: its identifiers and field
/// values are carried here rather than as a `contact.identifier-added` per identifier and a
/// `contact.fields-changed` after it. They are personal and sit in the sealed personal part,
/// under the contact's data key, exactly as those events seal them, so erasure covers them.
/// Every later change is its own event. Readers take the creation apart with
/// `ContactEvent.facts`, which gives it as the events it stands for. The consent a new contact
/// is created with on its sender's stated terms is read as grants (`grants`); a grant with
/// evidence or a time of its own, and any consent given to a contact that already exists, is
/// still its own event. v1 (no consents) and v2 (no identifiers or fields) read as v3 with none.
public struct ContactCreated: Hashable, Sendable {
    /// How the contact entered the ledger.
    public var channel: EntryChannel
    /// The consent it was created with, one per scope.
    public var consents: [CreationConsent]
    /// The identifiers it was created with, in the order they were added (e-mail, phone,
    /// external id): each as the `contact.identifier-added` it stands for.
    public var identifiers: [IdentifierChange]
    /// The field values it was created with, as the one `contact.fields-changed` they stand
    /// for. Each change is from unset: `old` is nil, and only `new` is stored.
    public var fields: [FieldChange]

    /// Describes a contact's creation.
    public init(
        channel: EntryChannel,
        consents: [CreationConsent] = [],
        identifiers: [IdentifierChange] = [],
        fields: [FieldChange] = []
    ) {
        self.channel = channel
        self.consents = consents
        self.identifiers = identifiers
        self.fields = fields
    }

    /// The consents as the grants they are: each read exactly as a `consent.granted` with
    /// these terms, no evidence, happening when the creation was recorded.
    public var grants: [ConsentGranted] {
        consents.map(\.grant)
    }

    /// Whether it carries identifiers or field values (only a v3 creation can).
    public var carriesValues: Bool {
        !identifiers.isEmpty || !fields.isEmpty
    }

    /// The creation alone, as a v2 creation read: the entry channel and the consents, without
    /// the identifiers and field values `ContactEvent.facts` gives as events of their own.
    public var alone: ContactCreated {
        ContactCreated(channel: channel, consents: consents)
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
        case 3: try decodeV3(&payload)
        default: nil
        }
    }

    static func decodeV1(_ payload: inout PayloadReader) throws(PayloadError) -> Self {
        Self(channel: try payload.readData { try $0.readCode("entry channel") })
    }

    /// v2: the entry channel, a count, and per consent the consent terms (as consent events
    /// store them, with no time of its own) and the status.
    static func decodeV2(_ payload: inout PayloadReader) throws(PayloadError) -> Self {
        try readConsents(&payload)
    }

    /// v3: v2's layout, then in the non-personal part a count and each identifier's kind code,
    /// and the field list (as `contact.fields-changed` stores it); in the personal part one
    /// slot per identifier (the value) and one per field (the value set, as
    /// `contact.fields-changed` stores a new value).
    static func decodeV3(_ payload: inout PayloadReader) throws(PayloadError) -> Self {
        var created = try readConsents(&payload)
        let (kinds, fields) = try payload.readData { reader in
            let count = try reader.readVarint("identifier count")
            guard count <= UInt64(reader.remaining) else { throw BinaryFormatError(offset: reader.offset, what: "identifier count") }
            var kinds = [IdentifierKind]()
            kinds.reserveCapacity(Int(count))
            for _ in 0..<count { kinds.append(try reader.readCode("identifier kind")) }
            return (kinds, try reader.readFieldList())
        }
        created.identifiers.reserveCapacity(kinds.count)
        for kind in kinds {
            created.identifiers.append(IdentifierChange(kind: kind, value: try payload.readPersonal { try $0.readString("identifier value") }))
        }
        created.fields.reserveCapacity(fields.count)
        for field in fields {
            let value = try payload.readPersonal { try $0.readFieldValue() }
            created.fields.append(FieldChange(field: field, old: .known(nil), new: value))
        }
        return created
    }

    /// The entry channel and the consents, as v2 and v3 store them.
    private static func readConsents(_ payload: inout PayloadReader) throws(PayloadError) -> Self {
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
        payload.data.writeVarint(UInt64(identifiers.count))
        for identifier in identifiers { payload.data.writeCode(identifier.kind) }
        payload.data.writeFieldList(fields)
        for identifier in identifiers {
            payload.writePersonal(identifier.value) { $0.writeString($1) }
        }
        fields.withUnsafeBufferPointer { fields in
            for index in fields.indices {
                payload.writePersonal(fields[index].new) { $0.writeFieldValue($1) }
            }
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
        if !identifiers.isEmpty {
            object["identifiers"] = .array(identifiers.map { .object($0.jsonObject) })
        }
        if !fields.isEmpty {
            object["fields"] = .array(fields.map { change in
                var entry: [String: JSONValue] = ["value": change.new.json(ContactFieldsChanged.json(of:))]
                ContactFieldsChanged.name(change.field, in: &entry)
                return .object(entry)
            })
        }
        return object
    }
}
