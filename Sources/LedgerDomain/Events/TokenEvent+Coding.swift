extension TokenEvent {
    /// The two stored payload parts of the current version.
    public var encodedPayload: (data: [UInt8], personalData: [UInt8]) {
        var writer = PayloadWriter()
        payload.encode(into: &writer)
        return (writer.data.bytes, writer.personal.bytes)
    }

    /// Appends the two stored payload parts of the current version to `data` and `personal`:
    /// the bytes `encodedPayload` returns, written into buffers the caller keeps and reuses
    /// (a token import encodes a million events, two arrays each otherwise).
    public func encodePayload(data: inout BinaryWriter, personal: inout BinaryWriter) {
        PayloadWriter.appending(to: &data, &personal) { payload.encode(into: &$0) }
    }

    /// The event ready to append, with plain personal data; the token writer seals it.
    public func newEvent(id: EventID = .timeOrdered(), actor: Actor, source: Source, causation: EventID? = nil) -> NewEvent {
        let parts = encodedPayload
        return NewEvent(
            id: id, type: type, actor: actor, source: source, correlationID: nil, causationID: causation,
            data: parts.data, personalData: parts.personalData, personalDataSealed: false)
    }

    /// Decodes a recorded event with personal data the caller unsealed itself; nil means it is
    /// unavailable, and personal values read as erased.
    public init(decoding event: RecordedEvent, personalData: [UInt8]?) throws(DomainEventError) {
        self = try Self.decode(type: event.type, data: event.data, personal: personalData?[...], position: event.position)
    }

    /// Decodes a payload of `type` from its two stored parts. An unknown type or version, or
    /// bytes of the wrong shape, are a `DomainEventError` naming the type and position.
    public static func decode(
        type: EventType, data: ArraySlice<UInt8>, personal: ArraySlice<UInt8>?, position: UInt64? = nil
    ) throws(DomainEventError) -> TokenEvent {
        guard let kind = TokenEventKind(rawValue: type.name) else {
            throw DomainEventError(code: .unknownType, type: type, position: position, message: "no event type is named \(type.name)")
        }
        let decoded: TokenEvent?
        do {
            decoded = try PayloadReader.read(data: data, personal: personal) { (payload) throws(PayloadError) -> TokenEvent? in
                guard let event = try decodePayload(kind: kind, version: type.version, from: &payload) else { return nil }
                try payload.finish()
                return event
            }
        } catch {
            throw DomainEventError(
                code: error.part == .data ? .malformedData : .malformedPersonalData,
                type: type, position: position, message: error.cause.description)
        }
        guard let decoded else {
            throw DomainEventError(
                code: .unknownType, type: type, position: position,
                message: "version \(type.version) of \(type.name) is unknown to this build, which writes v\(kind.currentVersion)")
        }
        return decoded
    }

    private static func decodePayload(kind: TokenEventKind, version: UInt16, from payload: inout PayloadReader) throws(PayloadError) -> TokenEvent? {
        switch kind {
        case .migrated: try TokenMigrated.decode(version: version, from: &payload).map(TokenEvent.migrated)
        case .subscribed: try TokenSubscribed.decode(version: version, from: &payload).map(TokenEvent.subscribed)
        case .refreshed: try TokenRefreshed.decode(version: version, from: &payload).map(TokenEvent.refreshed)
        case .revoked: try TokenRevoked.decode(version: version, from: &payload).map(TokenEvent.revoked)
        case .linked: try TokenLink.decode(version: version, from: &payload).map(TokenEvent.linked)
        case .unlinked: try TokenLink.decode(version: version, from: &payload).map(TokenEvent.unlinked)
        case .erased: try TokenErased.decode(version: version, from: &payload).map(TokenEvent.erased)
        case .vapidKeyAdded: try VapidKeyAdded.decode(version: version, from: &payload).map(TokenEvent.vapidKeyAdded)
        }
    }
}
