/// `token.revoked` v1: the push service said the subscription is gone (HTTP 404 or 410).
public struct TokenRevoked: Hashable, Sendable {
    /// The push service's HTTP status.
    public var status: UInt16
    /// A short code for the cause (`gone`, `not-found`).
    public var reason: String

    /// Describes a revocation.
    public init(status: UInt16, reason: String) {
        self.status = status
        self.reason = reason
    }
}

extension TokenRevoked: EventPayload {
    static func decode(version: UInt16, from payload: inout PayloadReader) throws(PayloadError) -> Self? {
        switch version {
        case 1:
            try payload.readData { Self(status: try $0.readUInt16("status"), reason: try $0.readString("reason")) }
        default: nil
        }
    }

    func encode(into payload: inout PayloadWriter) {
        payload.data.write(status)
        payload.data.writeString(reason)
    }

    var jsonObject: [String: JSONValue] {
        ["status": .number(Double(status)), "reason": .string(reason)]
    }
}

/// `token.erased` v1: the token's values were erased (its data key destroyed), on its own
/// (`ledger tokens erase`) or with the contact it belonged to.
public struct TokenErased: Hashable, Sendable {
    /// Why, as a reason code (`contact-erased`, `gdpr-request`).
    public var reason: String

    /// Gives the reason.
    public init(reason: String) {
        self.reason = reason
    }
}

extension TokenErased: EventPayload {
    static func decode(version: UInt16, from payload: inout PayloadReader) throws(PayloadError) -> Self? {
        switch version {
        case 1: Self(reason: try payload.readData { try $0.readString("erasure reason") })
        default: nil
        }
    }

    func encode(into payload: inout PayloadWriter) {
        payload.data.writeString(reason)
    }

    var jsonObject: [String: JSONValue] { ["reason": .string(reason)] }
}
