/// `contact.erased` v1: the contact's personal data was erased (its key destroyed); the
/// envelope's recording time is the erasure time.
public struct ContactErased: Hashable, Sendable {
    /// Why, as a reason code or short phrase (`gdpr-request`); never the person's own words,
    /// which would be personal data in the non-personal part.
    public var reason: String

    /// Gives the reason.
    public init(reason: String) {
        self.reason = reason
    }
}

extension ContactErased: EventPayload {
    static func decode(version: UInt16, from payload: inout PayloadReader) throws(PayloadError) -> Self? {
        switch version {
        case 1: try decodeV1(&payload)
        default: nil
        }
    }

    static func decodeV1(_ payload: inout PayloadReader) throws(PayloadError) -> Self {
        Self(reason: try payload.readData { try $0.readString("erasure reason") })
    }

    func encode(into payload: inout PayloadWriter) {
        payload.data.writeString(reason)
    }

    var jsonObject: [String: JSONValue] {
        ["reason": .string(reason)]
    }
}
