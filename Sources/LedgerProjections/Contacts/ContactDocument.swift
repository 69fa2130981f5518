/// A contact as plain JSON: the form of `ledger contact show --json` and of each line of
/// the NDJSON export.
///
/// Absent values are nil and omitted. The properties are declared in the order the document
/// is written; `jsonText` keeps that order (and sorts the keys of nested objects), whereas
/// Foundation's JSONEncoder on Linux orders keys by hash unless told to sort them.
public struct ContactDocument: Codable, Hashable, Sendable {
    /// The contact's stream number.
    public var id: UInt64
    /// The primary external id.
    public var externalId: String?
    /// The primary e-mail address.
    public var email: String?
    /// The primary phone number, E.164.
    public var phone: String?
    /// Every external id, the primary first; omitted unless the contact has more than one.
    public var externalIds: [String]?
    /// Every e-mail address, the primary first; omitted unless the contact has more than one.
    public var emails: [String]?
    /// Every phone number, the primary first; omitted unless the contact has more than one.
    public var phones: [String]?
    /// Given name.
    public var firstName: String?
    /// Family name.
    public var lastName: String?
    /// Date of birth, `YYYY-MM-DD`.
    public var birthDate: String?
    /// Preferred language, BCP 47.
    public var languageCode: String?
    /// IANA time zone name.
    public var timeZone: String?
    /// Custom fields by name.
    public var fields: [String: DocumentValue]
    /// Consent by channel label (`email`, `sms`, ...).
    public var consent: [String: ConsentDocument]
    /// Static segment names, sorted.
    public var segments: [String]
    /// The contact that absorbed this one; omitted unless merged away.
    public var mergedInto: UInt64?
    /// True once the contact's personal data was erased; omitted otherwise.
    public var erased: Bool?

    /// Describes a contact document.
    public init(
        id: UInt64,
        externalId: String? = nil,
        email: String? = nil,
        phone: String? = nil,
        externalIds: [String]? = nil,
        emails: [String]? = nil,
        phones: [String]? = nil,
        firstName: String? = nil,
        lastName: String? = nil,
        birthDate: String? = nil,
        languageCode: String? = nil,
        timeZone: String? = nil,
        fields: [String: DocumentValue] = [:],
        consent: [String: ConsentDocument] = [:],
        segments: [String] = [],
        mergedInto: UInt64? = nil,
        erased: Bool? = nil
    ) {
        self.id = id
        self.externalId = externalId
        self.email = email
        self.phone = phone
        self.externalIds = externalIds
        self.emails = emails
        self.phones = phones
        self.firstName = firstName
        self.lastName = lastName
        self.birthDate = birthDate
        self.languageCode = languageCode
        self.timeZone = timeZone
        self.fields = fields
        self.consent = consent
        self.segments = segments
        self.mergedInto = mergedInto
        self.erased = erased
    }
}
