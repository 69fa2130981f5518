/// The status a `consent.granted` puts its scope in, stated by the event itself (v2): whether
/// the person's agreement is confirmed, not only given.
public enum ConsentGrantStatus: String, CaseIterable, Hashable, Sendable {
    /// Agreed, not confirmed by the person (an import, a single opt-in form).
    case subscribed
    /// Agreed and confirmed (double opt-in, the API's confirmed contacts, an operator with proof).
    case confirmed

    /// The word used in JSON and on the command line.
    public var label: String { rawValue }

    /// What a v1 grant meant, when the method decided it: API and double opt-in grants
    /// confirmed, every other method only subscribed. Used to upcast v1 payloads.
    public static func impliedByV1(_ method: ConsentMethod) -> ConsentGrantStatus {
        switch method {
        case .api, .doubleOptIn: .confirmed
        case .import, .formSingleOptIn, .unsubscribeLink, .operator: .subscribed
        }
    }
}

extension ConsentGrantStatus: StoredCode {
    var code: UInt8 {
        switch self {
        case .subscribed: 1
        case .confirmed: 2
        }
    }
}
