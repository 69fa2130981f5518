/// `contact.created` v1: a contact's first event, saying how it entered the ledger.
///
/// It carries nothing personal: the identifiers and fields that came with the contact follow
/// as their own events, so a contact's whole history reads the same way.
public struct ContactCreated: Hashable, Sendable {
    /// How the contact entered the ledger.
    public var channel: EntryChannel

    /// Describes a contact's creation.
    public init(channel: EntryChannel) {
        self.channel = channel
    }
}

extension ContactCreated: EventPayload {
    static func decode(version: UInt16, from payload: inout PayloadReader) throws(PayloadError) -> Self? {
        switch version {
        case 1: try decodeV1(&payload)
        default: nil
        }
    }

    static func decodeV1(_ payload: inout PayloadReader) throws(PayloadError) -> Self {
        Self(channel: try payload.readData { try $0.readCode("entry channel") })
    }

    func encode(into payload: inout PayloadWriter) {
        payload.data.writeCode(channel)
    }

    var jsonObject: [String: JSONValue] {
        ["channel": .string(channel.label)]
    }
}
