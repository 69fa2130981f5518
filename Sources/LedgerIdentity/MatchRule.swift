/// Which normalised field decides that an imported record is a contact already in the ledger.
///
/// The raw value is the command-line spelling, so it is stable: it is what users type.
public enum MatchRule: String, CaseIterable, Hashable, Sendable {
    /// Same e-mail address (after `EmailAddress` normalisation).
    case email = "email"
    /// Same phone number (after `PhoneNormalizer`, so same E.164).
    case phone = "phone"
    /// Same e-mail address, or failing that the same phone number.
    case emailOrPhone = "email-or-phone"
    /// Same identifier from the source system.
    case externalId = "external-id"

    /// Reads a command-line spelling (`email`, `phone`, `email-or-phone`, `external-id`), or throws naming the valid ones.
    public init(parsing spelling: String) throws(MatchRuleError) {
        guard let rule = MatchRule(rawValue: spelling) else {
            throw MatchRuleError(spelling: spelling)
        }
        self = rule
    }

    /// The spelling the command line uses for this rule.
    public var cliSpelling: String { rawValue }

    /// Every valid spelling, in declaration order, for help texts.
    public static var cliSpellings: [String] { allCases.map(\.rawValue) }
}
