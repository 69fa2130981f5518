import LedgerDomain

/// A request's identifiers, normalised: the e-mail address checked and lowercased, the phone
/// number in E.164, the external id trimmed.
public struct ContactIdentifiers: Sendable, Hashable {
    /// The e-mail address, if the request has one.
    public var email: String?
    /// The phone number in E.164, if the request has one.
    public var phone: String?
    /// The external id, if the request has one.
    public var externalId: String?

    /// Identifiers as given (already normalised).
    public init(email: String? = nil, phone: String? = nil, externalId: String? = nil) {
        self.email = email
        self.phone = phone
        self.externalId = externalId
    }

    /// The identifier of `kind`, if there is one.
    public subscript(kind: IdentifierKind) -> String? {
        switch kind {
        case .email: email
        case .phone: phone
        case .externalId: externalId
        }
    }
}
