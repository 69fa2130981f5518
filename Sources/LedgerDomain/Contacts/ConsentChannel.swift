/// The channel a consent covers.
public enum ConsentChannel: String, CaseIterable, Hashable, Sendable {
    /// E-mail messages.
    case email
    /// Text messages.
    case sms
    /// Browser push notifications.
    case webpush
    /// Mobile app push notifications.
    case mobilepush

    /// The word used in JSON.
    public var label: String { rawValue }
}

extension ConsentChannel: StoredCode {
    var code: UInt8 {
        switch self {
        case .email: 1
        case .sms: 2
        case .webpush: 3
        case .mobilepush: 4
        }
    }
}
