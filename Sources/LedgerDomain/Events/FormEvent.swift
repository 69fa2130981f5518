/// The form family (`form.*`, issue 19): a subscription form's versions and the spam its
/// honeypot caught, on the form's own stream of the `form` category. Read as
/// `LedgerEvent.forms`.
///
/// No event of the family holds personal data: a submission's person, IP address and user
/// agent are recorded on the contact's stream (its consent events, sealed under its key), and a
/// submission caught as spam is counted here without anything it carried.
public enum FormEvent: Hashable, Sendable {
    /// `form.defined` v1: the form's first version.
    case defined(FormDefinition)
    /// `form.updated` v1: a later version, whole.
    case updated(FormDefinition)
    /// `form.spam-received` v1: a submission filled the honeypot; accepted silently, no contact.
    case spamReceived(FormSpamReceived)

    /// The type tags of the family, each with the version this build writes.
    public static let definedType = EventType("form.defined", version: 1)
    /// See `definedType`.
    public static let updatedType = EventType("form.updated", version: 1)
    /// See `definedType`.
    public static let spamReceivedType = EventType("form.spam-received", version: 1)

    /// The type tag and version this build writes.
    public var type: EventType {
        switch self {
        case .defined: Self.definedType
        case .updated: Self.updatedType
        case .spamReceived: Self.spamReceivedType
        }
    }

    /// The definition a `defined` or `updated` event carries.
    public var definition: FormDefinition? {
        switch self {
        case .defined(let definition), .updated(let definition): definition
        case .spamReceived: nil
        }
    }

    /// The event ready to append. Form events carry no personal data.
    public func newEvent(id: EventID = .timeOrdered(), actor: Actor, source: Source) -> NewEvent {
        var writer = PayloadWriter()
        switch self {
        case .defined(let definition), .updated(let definition): definition.encode(into: &writer.data)
        case .spamReceived(let spam): spam.encode(into: &writer)
        }
        return NewEvent(id: id, type: type, actor: actor, source: source, data: writer.data.bytes)
    }

    /// Decodes a recorded event of this family. An unknown tag or version, or bytes of the
    /// wrong shape, are a `DomainEventError` naming the type and position.
    public init(decoding event: RecordedEvent) throws(DomainEventError) {
        let type = event.type
        let decoded: FormEvent?
        do {
            decoded = try PayloadReader.read(data: event.data, personal: nil) { (payload) throws(PayloadError) -> FormEvent? in
                let found: FormEvent?
                switch (type.name, type.version) {
                case (Self.definedType.name, 1): found = .defined(try payload.readData { try FormDefinition.decodeV1(&$0) })
                case (Self.updatedType.name, 1): found = .updated(try payload.readData { try FormDefinition.decodeV1(&$0) })
                case (Self.spamReceivedType.name, _): found = try FormSpamReceived.decode(version: type.version, from: &payload).map(FormEvent.spamReceived)
                default: found = nil
                }
                if found != nil { try payload.finish() }
                return found
            }
        } catch {
            throw DomainEventError(code: .malformedData, type: type, position: event.position, message: error.cause.description)
        }
        guard let decoded else {
            throw DomainEventError(code: .unknownType, type: type, position: event.position, message: "\(type) is not a form event this build reads")
        }
        self = decoded
    }

    /// The canonical JSON of the payload.
    public var jsonPayload: JSONValue {
        switch self {
        case .defined(let definition), .updated(let definition): .object(definition.jsonObject)
        case .spamReceived(let spam): .object(spam.jsonObject)
        }
    }
}

/// `form.spam-received` v1: a submission of a form version filled the honeypot field.
public struct FormSpamReceived: Hashable, Sendable {
    /// The form version the submission was made against.
    public var formVersion: UInt32
    /// Why it counts as spam: `honeypot`.
    public var reason: String

    /// Describes a caught submission.
    public init(formVersion: UInt32, reason: String) {
        self.formVersion = formVersion
        self.reason = reason
    }
}

extension FormSpamReceived: EventPayload {
    static func decode(version: UInt16, from payload: inout PayloadReader) throws(PayloadError) -> Self? {
        switch version {
        case 1:
            try payload.readData { reader in
                let version = try reader.readVarint("form version")
                guard version <= UInt64(UInt32.max) else { throw BinaryFormatError(offset: reader.offset, what: "form version") }
                return Self(formVersion: UInt32(version), reason: try reader.readString("reason"))
            }
        default: nil
        }
    }

    func encode(into payload: inout PayloadWriter) {
        payload.data.writeVarint(UInt64(formVersion))
        payload.data.writeString(reason)
    }

    var jsonObject: [String: JSONValue] {
        ["formVersion": .number(Double(formVersion)), "reason": .string(reason)]
    }
}
