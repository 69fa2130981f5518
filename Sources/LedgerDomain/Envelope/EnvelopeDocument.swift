/// The canonical JSON form of a recorded event's envelope: what `ledger events` and the API
/// print. Its schema is `Schemas/envelope.v1.schema.json`.
public struct EnvelopeDocument: Codable, Hashable, Sendable {
    /// Who made the change.
    public struct ActorDocument: Codable, Hashable, Sendable {
        public var kind: String
        public var name: String
    }

    /// Where the change came from; fields by `kind`.
    public struct SourceDocument: Codable, Hashable, Sendable {
        public var kind: String
        public var file: String?
        public var sha256: String?
        public var row: UInt64?
        public var apiKey: String?
        public var requestId: String?
        public var formId: String?
        public var submissionId: String?
        public var batch: String?
        public var entry: UInt64?
        public var command: String?
        public var reason: String?
    }

    public var position: UInt64
    public var id: String
    public var type: String
    public var typeVersion: UInt16
    public var stream: UInt64
    public var version: UInt64
    public var recordedAt: String
    public var actor: ActorDocument
    public var source: SourceDocument
    public var correlationId: String?
    public var causationId: String?
    /// The payload as the event type's JSON form, when the caller can decode it; else nil.
    public var payload: JSONValue?
    /// The raw non-personal payload, base64, when `payload` is nil.
    public var data: String?
    /// The raw personal payload, base64; `[sealed]` text when it is encrypted.
    public var personalData: String?
    /// Whether the personal payload is sealed with the contact's key.
    public var personalDataSealed: Bool
    /// The chain hash, hex.
    public var chainHash: String

    /// The envelope of `event`, with `payload` when the caller decoded it.
    public init(_ event: RecordedEvent, payload: JSONValue? = nil) {
        position = event.position
        id = event.id.uuidString
        type = event.type.name
        typeVersion = event.typeVersion
        stream = event.stream.rawValue
        version = event.version
        recordedAt = Timestamp.iso8601(microseconds: event.recordedAt)
        let actor = event.actor
        self.actor = ActorDocument(kind: actor.kind.label, name: actor.name)
        source = SourceDocument(event.source)
        correlationId = event.correlationID?.uuidString
        causationId = event.causationID?.uuidString
        self.payload = payload
        if payload == nil {
            data = Base64.encode(event.data)
            personalData = event.personalDataSealed ? nil : Base64.encode(event.personalData)
        }
        personalDataSealed = event.personalDataSealed
        chainHash = Hex.encode(event.chainHash)
    }
}

extension EnvelopeDocument.SourceDocument {
    /// The JSON form of `source`: its kind and the case's own members.
    public init(_ source: Source) {
        kind = source.kindLabel
        switch source {
        case .file(let name, let sha256, let row):
            file = name
            self.sha256 = sha256.hex
            self.row = row
        case .api(let key, let requestID):
            apiKey = key
            requestId = requestID
        case .form(let formID, let submissionID):
            formId = formID
            submissionId = submissionID
        case .migration(let batch, let entry):
            self.batch = batch
            self.entry = entry
        case .cli(let command):
            self.command = command
        case .system(let reason):
            self.reason = reason
        }
    }
}
