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

    /// The identifier a contact needs before consent on this channel can be given: an e-mail
    /// address for `email`, a phone number for `sms`. Push channels need none: their address
    /// is a device token held with the push provider, not an identifier of the contact.
    /// Withdrawing consent never needs one.
    public var requiredIdentifier: IdentifierKind? {
        switch self {
        case .email: .email
        case .sms: .phone
        case .webpush, .mobilepush: nil
        }
    }
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
