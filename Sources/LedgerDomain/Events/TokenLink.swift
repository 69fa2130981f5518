/// `token.linked` v1 and `token.unlinked` v1: the token was attached to a contact as one of
/// its channels, or detached from it.
public struct TokenLink: Hashable, Sendable {
    /// The contact's stream.
    public var contact: StreamID
    /// The contact's channel the token is: `webpush` or `mobilepush`.
    public var channel: String

    /// Names the contact and channel.
    public init(contact: StreamID, channel: String) {
        self.contact = contact
        self.channel = channel
    }
}

extension TokenLink: EventPayload {
    static func decode(version: UInt16, from payload: inout PayloadReader) throws(PayloadError) -> Self? {
        switch version {
        case 1:
            try payload.readData { Self(contact: try $0.readStream("contact"), channel: try $0.readString("channel")) }
        default: nil
        }
    }

    func encode(into payload: inout PayloadWriter) {
        payload.data.writeStream(contact)
        payload.data.writeString(channel)
    }

    var jsonObject: [String: JSONValue] {
        ["contact": .number(Double(contact.rawValue)), "channel": .string(channel)]
    }
}
