/// `contact.merged-away` v1, on the absorbed contact's stream: this contact now lives on in
/// another one. It is the stream's last fact apart from a later `contact.erased`.
public struct ContactMergedAway: Hashable, Sendable {
    /// The stream of the contact that absorbed this one.
    public var survivor: StreamID

    /// Names the surviving contact.
    public init(survivor: StreamID) {
        self.survivor = survivor
    }
}

extension ContactMergedAway: EventPayload {
    static func decode(version: UInt16, from payload: inout PayloadReader) throws(PayloadError) -> Self? {
        switch version {
        case 1: try decodeV1(&payload)
        default: nil
        }
    }

    static func decodeV1(_ payload: inout PayloadReader) throws(PayloadError) -> Self {
        Self(survivor: try payload.readData { try $0.readStream("survivor stream") })
    }

    func encode(into payload: inout PayloadWriter) {
        payload.data.writeStream(survivor)
    }

    var jsonObject: [String: JSONValue] {
        ["survivor": .number(Double(survivor.rawValue))]
    }
}
