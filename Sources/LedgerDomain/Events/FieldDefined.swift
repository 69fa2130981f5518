/// `field.defined` v1, on the ledger's schema stream: a custom field was declared.
///
/// Contacts' custom values are checked against the declared type (`ContactFieldRules`).
public struct FieldDefined: Hashable, Sendable {
    /// The field's name, e.g. `loyaltyTier`.
    public var name: String
    /// The type its values have.
    public var type: FieldType

    /// Declares a field.
    public init(name: String, type: FieldType) {
        self.name = name
        self.type = type
    }
}

extension FieldDefined: EventPayload {
    static func decode(version: UInt16, from payload: inout PayloadReader) throws(PayloadError) -> Self? {
        switch version {
        case 1: try decodeV1(&payload)
        default: nil
        }
    }

    static func decodeV1(_ payload: inout PayloadReader) throws(PayloadError) -> Self {
        try payload.readData { reader in
            let name = try reader.readString("field name")
            return Self(name: name, type: try reader.readCode("field type"))
        }
    }

    func encode(into payload: inout PayloadWriter) {
        payload.data.writeString(name)
        payload.data.writeCode(type)
    }

    var jsonObject: [String: JSONValue] {
        ["name": .string(name), "type": .string(type.label)]
    }
}
