/// `contact.merged` v1, on the surviving contact's stream: another contact was absorbed
/// into this one.
///
/// The absorbed stream gets `contact.merged-away` pointing back here, which ends its fold.
/// What the survivor takes over (identifiers, fields, consents) is recorded on its own stream
/// as ordinary events caused by this one, so the survivor's stream alone folds to its state.
public struct ContactMerged: Hashable, Sendable {
    /// The stream of the contact that was absorbed.
    public var absorbed: StreamID

    /// Names the absorbed contact.
    public init(absorbed: StreamID) {
        self.absorbed = absorbed
    }
}

extension ContactMerged: EventPayload {
    static func decode(version: UInt16, from payload: inout PayloadReader) throws(PayloadError) -> Self? {
        switch version {
        case 1: try decodeV1(&payload)
        default: nil
        }
    }

    static func decodeV1(_ payload: inout PayloadReader) throws(PayloadError) -> Self {
        Self(absorbed: try payload.readData { try $0.readStream("absorbed stream") })
    }

    func encode(into payload: inout PayloadWriter) {
        payload.data.writeStream(absorbed)
    }

    var jsonObject: [String: JSONValue] {
        // Stream numbers stay far below 2^53, so a JSON number holds them exactly.
        ["absorbed": .number(Double(absorbed.rawValue))]
    }
}
