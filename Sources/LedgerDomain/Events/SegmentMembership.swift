/// `segment.member-added` v1 and `segment.member-removed` v1: the contact joined or left a
/// static segment.
public struct SegmentMembership: Hashable, Sendable {
    /// The segment's name; not personal data.
    public var segment: String

    /// Names the segment.
    public init(segment: String) {
        self.segment = segment
    }
}

extension SegmentMembership: EventPayload {
    static func decode(version: UInt16, from payload: inout PayloadReader) throws(PayloadError) -> Self? {
        switch version {
        case 1: try decodeV1(&payload)
        default: nil
        }
    }

    static func decodeV1(_ payload: inout PayloadReader) throws(PayloadError) -> Self {
        Self(segment: try payload.readData { try $0.readString("segment name") })
    }

    func encode(into payload: inout PayloadWriter) {
        payload.data.writeString(segment)
    }

    var jsonObject: [String: JSONValue] {
        ["segment": .string(segment)]
    }
}
