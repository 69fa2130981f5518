// The parts every consent event shares, stored and shown one way.
//
// Non-personal part: channel code | purpose | method code | wording version (optional),
// then the event's own fields. Personal part: one slot with the IP address and user agent,
// each optional, and from v2 on the evidence note (optional). v2 also admits the `operator`
// method (a v1 payload naming it is malformed), and its terms end with when the consent
// happened, when that was before the ledger learned of it (optional signed varint of
// microseconds since 1970, e.g. an opt-in time migrated from another system).

extension PayloadReader {
    /// Reads what the consent is for, how it was given and under which wording, as payload
    /// `version` stores them.
    mutating func readConsentTerms(version: UInt16) throws(PayloadError) -> (scope: ConsentScope, method: ConsentMethod, wordingVersion: String?, occurredAt: Int64?) {
        try readData { reader in
            let channel: ConsentChannel = try reader.readCode("consent channel")
            let purpose = try reader.readString("consent purpose")
            let start = reader.offset
            let method: ConsentMethod = try reader.readCode("consent method")
            if version == 1 && !method.existsInV1 {
                throw BinaryFormatError(offset: start, what: "consent method (code \(method.code) is not defined in v1)")
            }
            let wording = try reader.readOptionalString("consent wording version")
            var occurred: Int64? = nil
            if version >= 2, try reader.readBool("consent occurred at") {
                occurred = try reader.readSignedVarint("consent occurred at")
            }
            return (ConsentScope(channel: channel, purpose: purpose), method, wording, occurred)
        }
    }

    /// Reads the personal evidence slot as payload `version` stores it.
    mutating func readConsentEvidence(version: UInt16) throws(PayloadError) -> Personal<ConsentEvidence> {
        try readPersonal { reader in
            let address = try reader.readOptionalString("IP address")
            let agent = try reader.readOptionalString("user agent")
            let note = version >= 2 ? try reader.readOptionalString("evidence note") : nil
            return ConsentEvidence(ipAddress: address, userAgent: agent, note: note)
        }
    }
}

extension PayloadWriter {
    /// Writes what the consent is for, how it was given, under which wording and when it
    /// happened (the current version's terms).
    mutating func writeConsentTerms(_ scope: ConsentScope, _ method: ConsentMethod, _ wordingVersion: String?, occurredAt: Int64?) {
        data.writeCode(scope.channel)
        data.writeString(scope.purpose)
        data.writeCode(method)
        data.writeOptionalString(wordingVersion)
        data.write(UInt8(occurredAt == nil ? 0 : 1))
        if let occurredAt { data.writeSignedVarint(occurredAt) }
    }

    /// Writes the personal evidence slot (the current version's, with the note).
    mutating func writeConsentEvidence(_ evidence: Personal<ConsentEvidence>) {
        writePersonal(evidence) { writer, evidence in
            writer.writeOptionalString(evidence.ipAddress)
            writer.writeOptionalString(evidence.userAgent)
            writer.writeOptionalString(evidence.note)
        }
    }
}

/// The JSON keys every consent event has; unknown evidence is omitted, erased evidence is
/// the erased marker under each evidence key.
func consentJSON(
    _ scope: ConsentScope,
    _ method: ConsentMethod,
    _ wordingVersion: String?,
    _ occurredAt: Int64?,
    _ evidence: Personal<ConsentEvidence>
) -> [String: JSONValue] {
    var object: [String: JSONValue] = [
        "channel": .string(scope.channel.label),
        "purpose": .string(scope.purpose),
        "method": .string(method.label),
    ]
    if let wordingVersion { object["wordingVersion"] = .string(wordingVersion) }
    if let occurredAt { object["occurredAt"] = .string(Timestamp.iso8601(microseconds: occurredAt)) }
    switch evidence {
    case .known(let known):
        if let address = known.ipAddress { object["ipAddress"] = .string(address) }
        if let agent = known.userAgent { object["userAgent"] = .string(agent) }
        if let note = known.note { object["evidenceNote"] = .string(note) }
    case .erased:
        object["ipAddress"] = erasedJSON
        object["userAgent"] = erasedJSON
        object["evidenceNote"] = erasedJSON
    }
    return object
}
