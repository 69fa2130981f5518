/// What a push token reaches: a browser (web push) or an app on a phone.
public enum TokenKind: String, CaseIterable, Hashable, Sendable {
    /// A web-push subscription (`PushSubscriptionJSON`) of a browser.
    case web
    /// An APNs device token of an iOS app.
    case ios
    /// An FCM registration token of an Android app.
    case android

    /// The word used in text and JSON.
    public var label: String { rawValue }
}

extension TokenKind: StoredCode {
    var code: UInt8 {
        switch self {
        case .web: 1
        case .ios: 2
        case .android: 3
        }
    }
}
