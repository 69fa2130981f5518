import LedgerDomain

/// One sample of every token event type, for the conformance tests and the schema examples.
enum TokenEventSamples {
    static let endpoint = "https://fcm.googleapis.com/fcm/send/dXq3ZtK1aQ8:APA91bHun4MxP5egoKMwt2KZFBaFUH-1RYqx"
    static let p256dh = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
    static let auth = "tBHItJI5svbpez7KI4CCXg"

    static func subscription(_ secret: Personal<TokenSecret>) -> TokenSubscription {
        TokenSubscription(
            kind: .web, origin: "https://shop.example", pushService: "fcm",
            subscribedAt: 1_790_000_000_000_000, expiresAt: 1_820_000_000_000_000,
            vapidKey: "3f2a9c0d5b7e41a6c8d9e0f1a2b3c4d5", problems: [], flags: ["unknown-push-service"],
            secret: secret)
    }

    static let secret = TokenSecret(endpoint: endpoint, p256dh: p256dh, auth: auth, userAgent: "Mozilla/5.0 (X11; Linux x86_64)")

    static func sample(_ kind: TokenEventKind, erased: Bool = false) -> TokenEvent {
        let secret: Personal<TokenSecret> = erased ? .erased : .known(secret)
        switch kind {
        case .migrated:
            return .migrated(TokenMigrated(
                provider: "onesignal", batch: FileDigest(bytes: (0..<32).map { UInt8($0 * 5) }) ?? .zero, row: 17,
                subscription: subscription(secret)))
        case .subscribed:
            return .subscribed(TokenSubscribed(subscription: subscription(secret)))
        case .refreshed:
            return .refreshed(TokenRefreshed(subscription: subscription(secret), reason: "pushsubscriptionchange"))
        case .revoked:
            return .revoked(TokenRevoked(status: 410, reason: "gone"))
        case .linked:
            return .linked(TokenLink(contact: StreamID(12), channel: "webpush"))
        case .unlinked:
            return .unlinked(TokenLink(contact: StreamID(12), channel: "webpush"))
        case .erased:
            return .erased(TokenErased(reason: "contact-erased"))
        case .vapidKeyAdded:
            return .vapidKeyAdded(VapidKeyAdded(
                fingerprint: "3f2a9c0d5b7e41a6c8d9e0f1a2b3c4d5", publicKey: p256dh, origins: ["https://shop.example"],
                generated: false, privateKey: erased ? .erased : .known("c2VjcmV0LXNjYWxhci1vZi0zMi1ieXRlcy1sb25nLg")))
        }
    }
}
