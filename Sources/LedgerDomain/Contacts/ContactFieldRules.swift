/// The rules a contact's field values and an event's texts must follow before they are
/// recorded. Decoding never applies them: a stored event stays readable after a rule changes.
///
/// Lengths count Unicode scalars, as JSON Schema's `maxLength` and most databases do, so
/// that the same text is the same length everywhere, whatever the Unicode version.
public struct ContactFieldRules: Sendable {
    /// First and last names: at most 40 characters (Reteno's rule).
    public static let maxNameLength = 40
    /// Custom text values: at most 1000 characters.
    public static let maxTextLength = 1000
    /// Custom number values: at most 38 digits, as many as a SQL `DECIMAL(38)` holds.
    public static let maxNumberDigits = 38
    /// Custom field names: at most 64 characters.
    public static let maxFieldNameLength = 64
    /// Segment names, purposes, wording versions, token ids, reasons: at most 200 characters.
    public static let maxLabelLength = 200
    /// External ids: at most 256 characters.
    public static let maxExternalIDLength = 256
    /// Language tags: at most 35 characters (BCP 47's longest useful tag).
    public static let maxLanguageCodeLength = 35
    /// Time zone names: at most 64 characters.
    public static let maxTimeZoneLength = 64
    /// Birth dates before this are refused as typos (nobody alive was born earlier).
    public static let earliestBirthDate = CalendarDate(year: 1900, month: 1, day: 1) ?? .earliest

    /// The declared custom fields and their types, from the schema stream's `field.defined`.
    public var customFields: [String: FieldType]
    /// Today's date; when set, birth dates after it are refused.
    public var today: CalendarDate?

    /// Rules knowing these custom fields and, optionally, today's date.
    public init(customFields: [String: FieldType] = [:], today: CalendarDate? = nil) {
        self.customFields = customFields
        self.today = today
    }

    /// Checks a change list: not empty, each field once, each change a real change, and every
    /// new value valid for its field. Old values are not checked: they were valid when recorded.
    public func validate(_ changes: [FieldChange]) throws(FieldRuleViolation) {
        guard !changes.isEmpty else { throw FieldRuleViolation(.noChange, "fields", "no field changes") }
        // Each change is read in place: a copy of it (its field and both values) per change
        // cost about as much as checking its value.
        for index in changes.indices {
            let field = changes[index].field
            // A handful of changes per event: comparing with the earlier ones beats hashing.
            guard !changes[..<index].contains(where: { $0.field == field }) else {
                throw FieldRuleViolation(.duplicateField, field.description, "changed twice in one event")
            }
            guard case .known(let new) = changes[index].new else {
                throw FieldRuleViolation(.erasedValue, field.description, "the new value is erased")
            }
            guard changes[index].old != changes[index].new else {
                throw FieldRuleViolation(.noChange, field.description, "old and new values are equal")
            }
            try validate(new, for: field)
        }
    }

    /// Checks one value for a field; nil (unset) is always allowed.
    public func validate(_ value: FieldValue?, for field: ContactField) throws(FieldRuleViolation) {
        guard let value else { return }
        let expected: FieldType
        switch field {
        case .standard(let standard):
            expected = standard.valueType
        case .custom(let name):
            guard let declared = customFields[name] else {
                throw FieldRuleViolation(.unknownField, field.description, "no field.defined declares it")
            }
            expected = declared
        }
        guard value.type == expected else {
            throw FieldRuleViolation(.wrongType, field.description, "expects \(expected.label), got \(value.type.label)")
        }
        switch (field, value) {
        case (.standard(.firstName), .text(let text)), (.standard(.lastName), .text(let text)):
            try Self.checkLine(text, field.description, maxLength: Self.maxNameLength)
        case (.standard(.languageCode), .text(let text)):
            try Self.checkLanguageCode(text, field.description)
        case (.standard(.timeZone), .text(let text)):
            try Self.checkTimeZone(text, field.description)
        case (.standard(.birthDate), .date(let date)):
            try checkBirthDate(date, field.description)
        case (.standard(.firstName), _), (.standard(.lastName), _), (.standard(.languageCode), _),
             (.standard(.timeZone), _), (.standard(.birthDate), _):
            // Values of another type were refused above. Listing each field (rather than
            // `.standard(_)`) makes a new standard field fail to compile until it has rules.
            break
        case (.custom, .text(let text)):
            try Self.checkText(text, field.description, maxLength: Self.maxTextLength)
        case (.custom, .number(let number)):
            guard number.digitCount <= Self.maxNumberDigits else {
                throw FieldRuleViolation(.outOfRange, field.description, "at most \(Self.maxNumberDigits) digits, got \(number.digitCount)")
            }
        case (.custom, .date), (.custom, .bool):
            // Any real date (CalendarDate holds only those) or flag will do.
            break
        }
    }

    /// Checks a custom field's declaration: a name that is an identifier (`[A-Za-z][A-Za-z0-9_]*`),
    /// short, and not the name of a standard field or an identifier kind.
    public func validate(definition: FieldDefined) throws(FieldRuleViolation) {
        let subject = "field name"
        let scalars = definition.name.unicodeScalars
        guard let first = scalars.first else { throw FieldRuleViolation(.empty, subject, "no name") }
        guard scalars.count <= Self.maxFieldNameLength else {
            throw FieldRuleViolation(.tooLong, subject, "at most \(Self.maxFieldNameLength) characters, got \(scalars.count)")
        }
        guard first.isASCIILetter, scalars.allSatisfy({ $0.isASCIILetter || $0.isASCIIDigit || $0 == "_" }) else {
            throw FieldRuleViolation(.invalidFormat, subject, "must be a letter, then letters, digits or _")
        }
        let lowered = definition.name.lowercased()
        let reserved = StandardField.allCases.map { $0.name.lowercased() } + IdentifierKind.allCases.map { $0.label.lowercased() }
        guard !reserved.contains(lowered) else {
            throw FieldRuleViolation(.reservedName, subject, "\(definition.name) is a standard field or identifier")
        }
    }

    private func checkBirthDate(_ date: CalendarDate, _ subject: @autoclosure () -> String) throws(FieldRuleViolation) {
        guard date >= Self.earliestBirthDate else {
            throw FieldRuleViolation(.outOfRange, subject(), "before \(Self.earliestBirthDate)")
        }
        if let today, date > today {
            throw FieldRuleViolation(.outOfRange, subject(), "in the future")
        }
    }
}
