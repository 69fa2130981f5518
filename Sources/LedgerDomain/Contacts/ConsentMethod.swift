/// How a consent was given or withdrawn: what a regulator asks to see.
///
/// The set is closed and stored as a byte: v1 consent payloads know the first five methods,
/// v2 payloads all of them (a new method is a new payload version, decision 0005).
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
    /// A person working for the business (at the command line or a console), on proof they
    /// hold: a signed paper form, a phone call; the evidence note says which. v2 and later.
    case `operator`

    /// The word used in JSON.
    public var label: String { rawValue }

    /// Whether v1 consent payloads can hold this method.
    var existsInV1: Bool { self != .operator }
}

extension ConsentMethod: StoredCode {
    var code: UInt8 {
        switch self {
        case .import: 1
        case .api: 2
        case .formSingleOptIn: 3
        case .doubleOptIn: 4
        case .unsubscribeLink: 5
        case .operator: 6
        }
    }
}
