/// The personal part of a push token: the values that reach one device. Whoever holds them can
/// send to it, so they are sealed under a data key and erased with it.
public struct TokenSecret: Hashable, Sendable {
    /// The web-push endpoint URL, or the APNs / FCM device token of a mobile app.
    public var endpoint: String
    /// The subscription's P-256 public key, base64url (web push only).
    public var p256dh: String?
    /// The subscription's authentication secret, base64url (web push only).
    public var auth: String?
    /// The browser's user agent when the previous provider kept it.
    public var userAgent: String?

    /// A token's values.
    public init(endpoint: String, p256dh: String? = nil, auth: String? = nil, userAgent: String? = nil) {
        self.endpoint = endpoint
        self.p256dh = p256dh
        self.auth = auth
        self.userAgent = userAgent
    }

    func write(into writer: inout BinaryWriter) {
        writer.writeString(endpoint)
        writer.writeOptionalString(p256dh)
        writer.writeOptionalString(auth)
        writer.writeOptionalString(userAgent)
    }

    static func read(from reader: inout BinaryReader) throws -> TokenSecret {
        TokenSecret(
            endpoint: try reader.readString("token endpoint"),
            p256dh: try reader.readOptionalString("token p256dh"),
            auth: try reader.readOptionalString("token auth"),
            userAgent: try reader.readOptionalString("token user agent"))
    }

    var jsonObject: [String: JSONValue] {
        var object: [String: JSONValue] = ["endpoint": .string(endpoint)]
        if let p256dh { object["p256dh"] = .string(p256dh) }
        if let auth { object["auth"] = .string(auth) }
        if let userAgent { object["userAgent"] = .string(userAgent) }
        return object
    }
}
