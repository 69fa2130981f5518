/// The API-key family (`apikey.*`, decision 0020): an API key's creation and revocation, on
/// the key's own stream of the `apiKey` category. Read as `LedgerEvent.apiKeys`.
///
/// No event holds a key's secret: `apikey.created` keeps its SHA-256 only, so the log (and
/// every backup and `events` listing) can never hand a working key to whoever reads it.
public enum ApiKeyEvent: Hashable, Sendable {
    /// `apikey.created` v1: a key was issued.
    case created(ApiKeyCreated)
    /// `apikey.revoked` v1: a key stopped working.
    case revoked(ApiKeyRevoked)

    /// The type tags of the family, each with the version this build writes.
    public static let createdType = EventType("apikey.created", version: 1)
    /// See `createdType`.
    public static let revokedType = EventType("apikey.revoked", version: 1)

    /// The type tag and version this build writes.
    public var type: EventType {
        switch self {
        case .created: Self.createdType
        case .revoked: Self.revokedType
        }
    }

    /// The key's name.
    public var name: String {
        switch self {
        case .created(let event): event.name
        case .revoked(let event): event.name
        }
    }

    /// The event ready to append. API-key events carry no personal data.
    public func newEvent(id: EventID = .timeOrdered(), actor: Actor, source: Source) -> NewEvent {
        var writer = PayloadWriter()
        switch self {
        case .created(let event): event.encode(into: &writer)
        case .revoked(let event): event.encode(into: &writer)
        }
        return NewEvent(id: id, type: type, actor: actor, source: source, data: writer.data.bytes)
    }

    /// Decodes a recorded event of this family. An unknown tag or version, or bytes of the
    /// wrong shape, are a `DomainEventError` naming the type and position.
    public init(decoding event: RecordedEvent) throws(DomainEventError) {
        let type = event.type
        let decoded: ApiKeyEvent?
        do {
            decoded = try PayloadReader.read(data: event.data, personal: nil) { (payload) throws(PayloadError) -> ApiKeyEvent? in
                let found: ApiKeyEvent? = switch type.name {
                case Self.createdType.name: try ApiKeyCreated.decode(version: type.version, from: &payload).map(ApiKeyEvent.created)
                case Self.revokedType.name: try ApiKeyRevoked.decode(version: type.version, from: &payload).map(ApiKeyEvent.revoked)
                default: nil
                }
                if found != nil { try payload.finish() }
                return found
            }
        } catch {
            throw DomainEventError(code: .malformedData, type: type, position: event.position, message: error.cause.description)
        }
        guard let decoded else {
            throw DomainEventError(code: .unknownType, type: type, position: event.position, message: "\(type) is not an API-key event this build reads")
        }
        self = decoded
    }

    /// The canonical JSON of the payload.
    public var jsonPayload: JSONValue {
        switch self {
        case .created(let event): .object(event.jsonObject)
        case .revoked(let event): .object(event.jsonObject)
        }
    }
}
