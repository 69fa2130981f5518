/// How a consent was given or withdrawn: what a regulator asks to see.
public enum ConsentMethod: String, CaseIterable, Hashable, Sendable {
    /// Carried over from an imported file, which vouches for it.
    case `import`
    /// Sent through the API by an integrated system.
    case api
    /// A subscription form with a single opt-in.
    case formSingleOptIn = "form-single-opt-in"
    /// A subscription confirmed by the contact (double opt-in).
    case doubleOptIn = "double-opt-in"
    /// An unsubscribe link in a message (withdrawals only).
    case unsubscribeLink = "unsubscribe-link"

    /// The word used in JSON.
    public var label: String { rawValue }
}

extension ConsentMethod: StoredCode {
    var code: UInt8 {
        switch self {
        case .import: 1
        case .api: 2
        case .formSingleOptIn: 3
        case .doubleOptIn: 4
        case .unsubscribeLink: 5
        }
    }
}
