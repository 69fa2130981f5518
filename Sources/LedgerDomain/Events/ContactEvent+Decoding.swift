extension ContactEvent {
    /// Decodes a recorded event. Plain personal data is read; sealed personal data reads as
    /// erased (use `init(decoding:personalData:)` after unsealing it).
    public init(decoding event: RecordedEvent) throws(DomainEventError) {
        self = try Self.decode(
            type: event.type,
            data: event.data,
            personal: event.personalDataSealed ? nil : event.personalData,
            position: event.position
        )
    }

    /// Decodes a recorded event with personal data the caller unsealed itself; nil means it
    /// is unavailable (erased, or this caller has no key), and personal values read as erased.
    public init(decoding event: RecordedEvent, personalData: [UInt8]?) throws(DomainEventError) {
        // The kind is found from the stored name's bytes; a String of it is made only for an
        // error message (a fold decodes millions of events).
        guard let kind = event.withTypeName(ContactEventKind.init(utf8Name:)) else {
            self = try Self.decode(type: event.type, data: event.data, personal: personalData?[...], position: event.position)
            return
        }
        self = try Self.decode(kind: kind, version: event.typeVersion, data: event.data, personal: personalData?[...], position: event.position)
    }

    /// Decodes a payload of `type` from its two stored parts; `personal` nil means unavailable.
    ///
    /// An unknown type or version, or bytes of the wrong shape, are a `DomainEventError`
    /// naming the type and `position`, never a crash.
    public static func decode(
        type: EventType,
        data: ArraySlice<UInt8>,
        personal: ArraySlice<UInt8>?,
        position: UInt64? = nil
    ) throws(DomainEventError) -> ContactEvent {
        guard let kind = ContactEventKind(name: type.name) else {
            throw DomainEventError(
                code: .unknownType, type: type, position: position,
                message: "no event type is named \(type.name)"
            )
        }
        return try decode(kind: kind, version: type.version, data: data, personal: personal, position: position)
    }

    /// Decodes a payload of a known kind and version from its two stored parts.
    static func decode(
        kind: ContactEventKind,
        version: UInt16,
        data: ArraySlice<UInt8>,
        personal: ArraySlice<UInt8>?,
        position: UInt64?
    ) throws(DomainEventError) -> ContactEvent {
        let type = EventType(kind.name, version: version)
        let decoded: ContactEvent?
        do {
            decoded = try PayloadReader.read(data: data, personal: personal) { (payload) throws(PayloadError) -> ContactEvent? in
                // An unknown version reads nothing, so only a payload that was read is checked.
                guard let event = try decodePayload(kind: kind, version: type.version, from: &payload) else { return nil }
                try payload.finish()
                return event
            }
        } catch {
            throw DomainEventError(
                code: error.part == .data ? .malformedData : .malformedPersonalData,
                type: type, position: position, message: error.cause.description
            )
        }
        guard let decoded else {
            throw DomainEventError(
                code: .unknownType, type: type, position: position,
                message: "version \(type.version) of \(type.name) is unknown to this build, which writes v\(kind.currentVersion)"
            )
        }
        return decoded
    }

    /// Routes to the payload's reader for `version`; nil for an unknown version. The payload
    /// types hold the version switch and the upcasters (see `EventPayload`).
    private static func decodePayload(
        kind: ContactEventKind,
        version: UInt16,
        from payload: inout PayloadReader
    ) throws(PayloadError) -> ContactEvent? {
        switch kind {
        case .contactCreated:
            try ContactCreated.decode(version: version, from: &payload).map(ContactEvent.contactCreated)
        case .contactFieldsChanged:
            try ContactFieldsChanged.decode(version: version, from: &payload).map(ContactEvent.contactFieldsChanged)
        case .identifierAdded:
            try IdentifierChange.decode(version: version, from: &payload).map(ContactEvent.identifierAdded)
        case .identifierRemoved:
            try IdentifierChange.decode(version: version, from: &payload).map(ContactEvent.identifierRemoved)
        case .consentGranted:
            try ConsentGranted.decode(version: version, from: &payload).map(ContactEvent.consentGranted)
        case .consentWithdrawn:
            try ConsentWithdrawn.decode(version: version, from: &payload).map(ContactEvent.consentWithdrawn)
        case .consentConfirmationRequested:
            try ConsentConfirmationRequested.decode(version: version, from: &payload).map(ContactEvent.consentConfirmationRequested)
        case .consentConfirmed:
            try ConsentConfirmed.decode(version: version, from: &payload).map(ContactEvent.consentConfirmed)
        case .segmentMemberAdded:
            try SegmentMembership.decode(version: version, from: &payload).map(ContactEvent.segmentMemberAdded)
        case .segmentMemberRemoved:
            try SegmentMembership.decode(version: version, from: &payload).map(ContactEvent.segmentMemberRemoved)
        case .contactMerged:
            try ContactMerged.decode(version: version, from: &payload).map(ContactEvent.contactMerged)
        case .contactMergedAway:
            try ContactMergedAway.decode(version: version, from: &payload).map(ContactEvent.contactMergedAway)
        case .contactErased:
            try ContactErased.decode(version: version, from: &payload).map(ContactEvent.contactErased)
        case .fieldDefined:
            try FieldDefined.decode(version: version, from: &payload).map(ContactEvent.fieldDefined)
        }
    }
}
