/// The API-key family (`apikey.*`, decision 0020): an API key's creation and revocation, on
/// the key's own stream of the `apiKey` category. Read as `LedgerEvent.apiKeys`.
///
/// No event holds a key's secret: `apikey.created` keeps its SHA-256 only, so the log (and
/// every backup and `events` listing) can never hand a working key to whoever reads it.
/// `apikey.request-recorded` (decision 0024) is written by a key, not about it: it lives on
/// streams of the `api-request` category, one per recorded answer.
public enum ApiKeyEvent: Hashable, Sendable {
    /// `apikey.created` v1: a key was issued.
    case created(ApiKeyCreated)
    /// `apikey.revoked` v1: a key stopped working.
    case revoked(ApiKeyRevoked)
    /// `apikey.request-recorded` v1: the answer to a bulk or idempotent request, kept.
    case requestRecorded(ApiRequestRecorded)

    /// The type tags of the family, each with the version this build writes.
    public static let createdType = EventType("apikey.created", version: 1)
    /// See `createdType`.
    public static let revokedType = EventType("apikey.revoked", version: 1)
    /// See `createdType`.
    public static let requestRecordedType = EventType("apikey.request-recorded", version: 1)

    /// The type tag and version this build writes.
    public var type: EventType {
        switch self {
        case .created: Self.createdType
        case .revoked: Self.revokedType
        case .requestRecorded: Self.requestRecordedType
        }
    }

    /// The key's name; nil for a recorded request (its key is the event's actor).
    public var name: String? {
        switch self {
        case .created(let event): event.name
        case .revoked(let event): event.name
        case .requestRecorded: nil
        }
    }

    /// The event ready to append, with plain personal data (only a recorded request has any;
    /// its writer seals it).
    public func newEvent(id: EventID = .timeOrdered(), actor: Actor, source: Source) -> NewEvent {
        var writer = PayloadWriter()
        switch self {
        case .created(let event): event.encode(into: &writer)
        case .revoked(let event): event.encode(into: &writer)
        case .requestRecorded(let event): event.encode(into: &writer)
        }
        return NewEvent(id: id, type: type, actor: actor, source: source, data: writer.data.bytes, personalData: writer.personal.bytes)
    }

    /// Decodes a recorded event of this family; personal values read as erased. An unknown
    /// tag or version, or bytes of the wrong shape, are a `DomainEventError` naming the type
    /// and position.
    public init(decoding event: RecordedEvent) throws(DomainEventError) {
        try self.init(decoding: event, personalData: nil)
    }

    /// Decodes a recorded event with personal data the caller unsealed itself; nil means it is
    /// unavailable, and personal values read as erased.
    public init(decoding event: RecordedEvent, personalData: [UInt8]?) throws(DomainEventError) {
        let type = event.type
        let decoded: ApiKeyEvent?
        do {
            decoded = try PayloadReader.read(data: event.data, personal: personalData?[...]) { (payload) throws(PayloadError) -> ApiKeyEvent? in
                let found: ApiKeyEvent? = switch type.name {
                case Self.createdType.name: try ApiKeyCreated.decode(version: type.version, from: &payload).map(ApiKeyEvent.created)
                case Self.revokedType.name: try ApiKeyRevoked.decode(version: type.version, from: &payload).map(ApiKeyEvent.revoked)
                case Self.requestRecordedType.name: try ApiRequestRecorded.decode(version: type.version, from: &payload).map(ApiKeyEvent.requestRecorded)
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
        case .requestRecorded(let event): .object(event.jsonObject)
        }
    }
}
