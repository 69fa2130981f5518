/// `contact.identifier-added` v1 and `contact.identifier-removed` v1: an identifier the
/// contact is found by was attached or detached.
///
/// The kind is not personal and stays readable after erasure; the value is personal.
public struct IdentifierChange: Hashable, Sendable {
    /// What kind of identifier.
    public var kind: IdentifierKind
    /// The normalised value: e-mail lowercased, phone in E.164, external id as given.
    public var value: Personal<String>

    /// An identifier as read back, whose value may be erased.
    public init(kind: IdentifierKind, value: Personal<String>) {
        self.kind = kind
        self.value = value
    }

    /// An identifier being recorded.
    public init(kind: IdentifierKind, value: String) {
        self.init(kind: kind, value: .known(value))
    }
}

extension IdentifierChange: EventPayload {
    static func decode(version: UInt16, from payload: inout PayloadReader) throws(PayloadError) -> Self? {
        switch version {
        case 1: try decodeV1(&payload)
        default: nil
        }
    }

    static func decodeV1(_ payload: inout PayloadReader) throws(PayloadError) -> Self {
        let kind: IdentifierKind = try payload.readData { try $0.readCode("identifier kind") }
        return Self(kind: kind, value: try payload.readPersonal { try $0.readString("identifier value") })
    }

    func encode(into payload: inout PayloadWriter) {
        payload.data.writeCode(kind)
        payload.writePersonal(value) { $0.writeString($1) }
    }

    var jsonObject: [String: JSONValue] {
        ["kind": .string(kind.label), "value": value.json { .string($0) }]
    }
}
