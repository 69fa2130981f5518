/// `token.subscribed` v1: a fresh subscription from our own service worker or app.
public struct TokenSubscribed: Hashable, Sendable {
    /// The subscription, with what validation found.
    public var subscription: TokenSubscription

    /// Describes a new subscription.
    public init(subscription: TokenSubscription) {
        self.subscription = subscription
    }
}

extension TokenSubscribed: EventPayload {
    static func decode(version: UInt16, from payload: inout PayloadReader) throws(PayloadError) -> Self? {
        switch version {
        case 1: Self(subscription: try TokenSubscription.decodeV1(&payload))
        default: nil
        }
    }

    func encode(into payload: inout PayloadWriter) {
        subscription.encode(into: &payload)
    }

    var jsonObject: [String: JSONValue] { subscription.jsonObject }
}

/// `token.refreshed` v1: the browser rotated the endpoint or keys (`pushsubscriptionchange`),
/// or the app got a new token; the chain goes on in the same stream with the new values.
public struct TokenRefreshed: Hashable, Sendable {
    /// The subscription as it is now.
    public var subscription: TokenSubscription
    /// What prompted it, as a code (`pushsubscriptionchange`, `app-token-rotated`).
    public var reason: String

    /// Describes a refresh.
    public init(subscription: TokenSubscription, reason: String) {
        self.subscription = subscription
        self.reason = reason
    }
}

extension TokenRefreshed: EventPayload {
    static func decode(version: UInt16, from payload: inout PayloadReader) throws(PayloadError) -> Self? {
        switch version {
        case 1:
            let reason = try payload.readData { try $0.readString("refresh reason") }
            return Self(subscription: try TokenSubscription.decodeV1(&payload), reason: reason)
        default: return nil
        }
    }

    func encode(into payload: inout PayloadWriter) {
        payload.data.writeString(reason)
        subscription.encode(into: &payload)
    }

    var jsonObject: [String: JSONValue] {
        var object = subscription.jsonObject
        object["reason"] = .string(reason)
        return object
    }
}
