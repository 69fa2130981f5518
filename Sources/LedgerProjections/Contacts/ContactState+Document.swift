import LedgerDomain

extension ContactState {
    /// The contact as plain JSON for `ledger contact show --json` and the NDJSON export.
    public var document: ContactDocument {
        var consent: [String: ConsentDocument] = [:]
        for channel in ConsentChannel.allCases {
            let scopes = consents.filter { $0.key.channel == channel }
            // The latest event decides the channel's summary; positions are unique per event.
            guard let latest = scopes.max(by: { ($0.value.position, $0.key.purpose) < ($1.value.position, $1.key.purpose) }) else {
                continue
            }
            var entry = Self.document(of: latest.value)
            entry.purposes = scopes.reduce(into: [:]) { $0[$1.key.purpose] = Self.document(of: $1.value) }
            consent[channel.label] = entry
        }
        return ContactDocument(
            id: id.rawValue,
            externalId: externalId,
            email: email,
            phone: phone,
            externalIds: allIfSeveral(.externalId),
            emails: allIfSeveral(.email),
            phones: allIfSeveral(.phone),
            firstName: standardText(.firstName),
            lastName: standardText(.lastName),
            birthDate: standardText(.birthDate),
            languageCode: standardText(.languageCode),
            timeZone: standardText(.timeZone),
            fields: fields.mapValues(DocumentValue.init),
            consent: consent,
            segments: segments.sorted(),
            mergedInto: mergedInto?.rawValue,
            erased: erased ? true : nil
        )
    }

    /// The document as a `JSONValue`, for callers that assemble JSON from parts; its objects
    /// are dictionaries, so write `document.jsonText` when key order matters.
    public var jsonValue: JSONValue { document.jsonValue }

    /// Every identifier of `kind`, the primary first, when there are several; nil otherwise
    /// (the primary alone is the document's `email`, `phone` or `externalId`).
    private func allIfSeveral(_ kind: IdentifierKind) -> [String]? {
        identifiers(kind).count > 1 ? identifiersPrimaryFirst(kind) : nil
    }

    /// A standard field as the document's text; a value of an unexpected type is shown as
    /// text rather than dropped.
    private func standardText(_ field: StandardField) -> String? {
        switch standardFields[field] {
        case nil: nil
        case .text(let text): text
        case .number(let number): number.canonical
        case .date(let date): date.iso8601
        case .bool(let flag): flag ? "true" : "false"
        }
    }

    private static func document(of record: ConsentRecord) -> ConsentDocument {
        ConsentDocument(
            status: record.status.label,
            since: Timestamp.iso8601(microseconds: record.since),
            method: record.method.label
        )
    }
}
