import LedgerDomain
import Testing

@Suite("Contact field rules")
struct ContactFieldRulesTests {
    static let rules = ContactFieldRules(customFields: ContactEventSamples.customFields, today: ContactEventSamples.today)

    /// The code of the violation `value` causes for `field`, or nil when it is valid.
    static func violation(_ value: FieldValue?, _ field: ContactField) -> FieldRuleViolation.Code? {
        do {
            try rules.validate(value, for: field)
            return nil
        } catch {
            return error.code
        }
    }

    /// Whether `check` passes.
    static func accepts(_ check: () throws -> Void) -> Bool {
        do {
            try check()
            return true
        } catch {
            return false
        }
    }

    static func text(_ length: Int, _ character: Character = "я") -> FieldValue {
        .text(String(repeating: character, count: length))
    }

    @Test("names are at most 40 characters, counted as Unicode scalars, not bytes")
    func nameLength() {
        for field in [StandardField.firstName, .lastName] {
            #expect(Self.violation(Self.text(40), .standard(field)) == nil)
            #expect(Self.violation(Self.text(41), .standard(field)) == .tooLong)
            #expect(Self.violation(Self.text(41, "a"), .standard(field)) == .tooLong)
        }
        // "é" as e + combining accent is two scalars: 20 of them fill the 40.
        #expect(Self.violation(.text(String(repeating: "e\u{301}", count: 20)), .standard(.firstName)) == nil)
        #expect(Self.violation(.text(String(repeating: "e\u{301}", count: 21)), .standard(.firstName)) == .tooLong)
    }

    @Test("names are one trimmed, non-blank line")
    func nameCharacters() {
        #expect(Self.violation(.text("Олена"), .standard(.firstName)) == nil)
        #expect(Self.violation(.text("Mary Ann"), .standard(.firstName)) == nil)
        #expect(Self.violation(.text(""), .standard(.firstName)) == .empty)
        #expect(Self.violation(.text("   "), .standard(.firstName)) == .empty)
        #expect(Self.violation(.text("Olena\n"), .standard(.firstName)) == .invalidCharacters)
        #expect(Self.violation(.text("Ol\u{0}ena"), .standard(.lastName)) == .invalidCharacters)
        #expect(Self.violation(.text(" Olena"), .standard(.lastName)) == .invalidCharacters)
    }

    @Test("custom text is at most 1000 characters and may hold line breaks")
    func customText() {
        #expect(Self.violation(Self.text(1000), .custom("loyaltyTier")) == nil)
        #expect(Self.violation(Self.text(1001), .custom("loyaltyTier")) == .tooLong)
        #expect(Self.violation(.text("line one\nline two\ttab"), .custom("loyaltyTier")) == nil)
        #expect(Self.violation(.text("bell\u{7}"), .custom("loyaltyTier")) == .invalidCharacters)
        #expect(Self.violation(.text(""), .custom("loyaltyTier")) == .empty)
    }

    @Test("values must have the field's type, and custom fields must be defined")
    func types() {
        #expect(Self.violation(.text("1961-03-09"), .standard(.birthDate)) == .wrongType)
        #expect(Self.violation(.date(ContactEventSamples.date(1961, 3, 9)), .standard(.firstName)) == .wrongType)
        #expect(Self.violation(.bool(true), .custom("lifetimeValue")) == .wrongType)
        #expect(Self.violation(.text("x"), .custom("undeclared")) == .unknownField)
        #expect(Self.violation(nil, .custom("undeclared")) == nil)
        #expect(Self.violation(.bool(false), .custom("vip")) == nil)
        #expect(Self.violation(.date(ContactEventSamples.date(1, 1, 1)), .custom("firstOrder")) == nil)
    }

    @Test("birth dates are real days between 1900 and today")
    func birthDates() {
        #expect(CalendarDate(year: 2023, month: 2, day: 29) == nil)
        #expect(CalendarDate(year: 2024, month: 2, day: 29) != nil)
        #expect(CalendarDate(year: 1900, month: 2, day: 29) == nil)
        #expect(CalendarDate(year: 2000, month: 2, day: 29) != nil)
        #expect(CalendarDate(year: 2026, month: 4, day: 31) == nil)
        #expect(CalendarDate(year: 2026, month: 13, day: 1) == nil)
        #expect(CalendarDate(year: 2026, month: 0, day: 1) == nil)
        #expect(CalendarDate(year: 2026, month: 1, day: 0) == nil)
        #expect(CalendarDate(iso8601: "2023-02-29") == nil)
        #expect(Self.violation(.date(ContactEventSamples.date(1899, 12, 31)), .standard(.birthDate)) == .outOfRange)
        #expect(Self.violation(.date(ContactEventSamples.date(1900, 1, 1)), .standard(.birthDate)) == nil)
        #expect(Self.violation(.date(ContactEventSamples.date(2026, 11, 29)), .standard(.birthDate)) == nil)
        #expect(Self.violation(.date(ContactEventSamples.date(2026, 11, 30)), .standard(.birthDate)) == .outOfRange)
        // Without today, the future is not checked.
        #expect(Self.accepts { try ContactFieldRules().validate(.date(ContactEventSamples.date(2090, 1, 1)), for: .standard(.birthDate)) })
    }

    @Test("language tags and time zone names have their shapes", arguments: [
        ("uk", true), ("en", true), ("pt-BR", true), ("zh-Hant-TW", true), ("ast", true),
        ("english", false), ("u", false), ("pt_BR", false), ("pt-", false), ("", false), ("12", false),
    ])
    func languageCodes(code: String, valid: Bool) {
        #expect((Self.violation(.text(code), .standard(.languageCode)) == nil) == valid)
    }

    @Test("time zone names have the IANA shape", arguments: [
        ("Europe/Kyiv", true), ("UTC", true), ("America/Argentina/Buenos_Aires", true), ("Etc/GMT+3", true),
        ("Europe//Kyiv", false), ("/UTC", false), ("Kyiv time", false), ("Europe/", false), ("", false),
    ])
    func timeZones(zone: String, valid: Bool) {
        #expect((Self.violation(.text(zone), .standard(.timeZone)) == nil) == valid)
    }

    @Test("custom numbers have at most 38 digits")
    func numberDigits() throws {
        let long = try #require(DecimalNumber(String(repeating: "9", count: 30) + "." + String(repeating: "1", count: 8)))
        #expect(Self.violation(.number(long), .custom("lifetimeValue")) == nil)
        let tooLong = try #require(DecimalNumber(String(repeating: "9", count: 39)))
        #expect(Self.violation(.number(tooLong), .custom("lifetimeValue")) == .outOfRange)
    }

    @Test("a change list is not empty, names each field once, and changes something")
    func changeLists() {
        func code(_ changes: [FieldChange]) -> FieldRuleViolation.Code? {
            do {
                try Self.rules.validate(changes)
                return nil
            } catch {
                return error.code
            }
        }
        let olena = FieldChange(field: .standard(.firstName), from: nil, to: .text("Olena"))
        #expect(code([olena]) == nil)
        #expect(code([]) == .noChange)
        #expect(code([olena, olena]) == .duplicateField)
        #expect(code([FieldChange(field: .standard(.firstName), from: .text("Olena"), to: .text("Olena"))]) == .noChange)
        #expect(code([FieldChange(field: .standard(.firstName), old: .known(nil), new: .erased)]) == .erasedValue)
        #expect(code([FieldChange(field: .standard(.firstName), old: .erased, new: .known(nil))]) == nil)
    }

    @Test("identifiers must be in their normalised forms", arguments: [
        (IdentifierKind.email, "olena@example.com", true), (.email, "Olena@example.com", false),
        (.email, "olena@example", false), (.email, "olena example@example.com", false), (.email, "@example.com", false),
        (.email, "a@b@example.com", false), (.phone, "+380441234567", true), (.phone, "+1", false),
        (.phone, "0441234567", false), (.phone, "+0441234567", false), (.phone, "+38 044 123 45 67", false),
        (.phone, "+1234567890123456", false), (.externalId, "crm-000123", true), (.externalId, "crm\n1", false),
        (.externalId, "", false),
    ])
    func identifiers(kind: IdentifierKind, value: String, valid: Bool) {
        #expect(Self.accepts { try Self.rules.validate(identifier: value, kind: kind) } == valid)
    }

    @Test("custom field names are identifiers that no standard field or identifier kind uses", arguments: [
        ("loyaltyTier", true), ("vip_2", true), ("FirstName", false), ("email", false), ("externalid", false),
        ("1st", false), ("loyalty tier", false), ("", false), (String(repeating: "a", count: 65), false),
    ])
    func fieldDefinitions(name: String, valid: Bool) {
        #expect(Self.accepts { try Self.rules.validate(definition: FieldDefined(name: name, type: .text)) } == valid)
    }

    @Test("every sample event passes the rules", arguments: ContactEventKind.allCases)
    func samplesAreValid(kind: ContactEventKind) throws {
        try Self.rules.validate(ContactEventSamples.sample(kind))
    }

    @Test("events with erased or malformed personal values are refused")
    func eventRules() {
        let erased = ContactEventSamples.erased(ContactEventSamples.sample(.consentGranted))
        #expect(throws: FieldRuleViolation.self) { try Self.rules.validate(erased) }
        let badAddress = ContactEvent.consentGranted(ConsentGranted(
            scope: ConsentScope(channel: .email, purpose: "newsletter"), method: .api, status: .confirmed, wordingVersion: nil,
            evidence: .known(ConsentEvidence(ipAddress: "localhost"))))
        #expect(throws: FieldRuleViolation.self) { try Self.rules.validate(badAddress) }
        #expect(throws: FieldRuleViolation.self) { try Self.rules.validate(.segmentMemberAdded(SegmentMembership(segment: ""))) }
        #expect(throws: FieldRuleViolation.self) {
            try Self.rules.validate(.consentConfirmed(ConsentConfirmed(
                scope: ConsentScope(channel: .email, purpose: "newsletter"), method: .doubleOptIn, wordingVersion: nil, tokenID: "tok 1")))
        }
    }

    @Test("violations name the field and the rule, never the value")
    func messagesHideValues() throws {
        let name = String(repeating: "Олена", count: 9)
        let error = try #require(throws: FieldRuleViolation.self) {
            try Self.rules.validate(.text(name), for: .standard(.firstName))
        }
        #expect(error.description == "firstName: too long: at most 40 characters, got 45")
        #expect(!error.description.contains("Олена"))
        let email = try #require(throws: FieldRuleViolation.self) {
            try Self.rules.validate(identifier: "Olena@Example.com", kind: .email)
        }
        #expect(!email.description.contains("Olena"))
    }

    @Test("the white space shortcut agrees with Unicode's White_Space property for every scalar")
    func whitespaceShortcut() {
        // Every scalar, so a Unicode update that adds white space below U+1680 fails here.
        var differing: [UInt32] = []
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            if scalar.isWhiteSpaceProperty != scalar.properties.isWhitespace { differing.append(value) }
        }
        #expect(differing.isEmpty, "differs at \(differing.prefix(5).map { "U+" + String($0, radix: 16) })")
    }

    @Test("the text check's byte scan agrees with a scalar-by-scalar reading, around every scalar")
    func textScanAgreesWithScalars() {
        // What checkText asks, read scalar by scalar with Unicode's own property.
        func reference(_ text: String) -> (count: Int, control: Int?, other: Int?, blank: Bool) {
            var count = 0
            var control: Int?
            var other: Int?
            for scalar in text.unicodeScalars {
                count += 1
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                    if control == nil { control = count }
                    if other == nil && ![0x09, 0x0A, 0x0D].contains(scalar.value) { other = count }
                }
            }
            return (count, control, other, !text.unicodeScalars.contains { !$0.properties.isWhitespace })
        }
        var differing: [UInt32] = []
        var decided = 0
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let alone = String(Character(scalar))
            for text in [alone, " " + alone + "\u{A0}", "\t" + alone + "x\u{85}", alone + "\u{1F}" + alone] {
                let scan = text.utf8.withContiguousStorageIfAvailable { TextScan($0) }
                guard let scan else {
                    differing.append(value)
                    continue
                }
                let expected = reference(text)
                if scan.count != expected.count || scan.firstControl != expected.control || scan.firstOtherControl != expected.other
                    || (!scan.needsScalars && scan.blank != expected.blank) {
                    differing.append(value)
                }
                if !scan.needsScalars { decided += 1 }
            }
        }
        #expect(differing.isEmpty, "differs at \(differing.prefix(5).map { "U+" + String($0, radix: 16) })")
        // Everything below U+0800 is decided from the bytes, and text with an ASCII letter too.
        #expect(decided > 0x800 * 4)
    }

    @Test("text checks answer the same with and without scalars past U+07FF")
    func textChecksOnBytes() {
        #expect(Self.violation(.text(" \u{A0}\u{85}"), .custom("loyaltyTier")) == .empty)
        #expect(Self.violation(.text(" \u{3000}"), .custom("loyaltyTier")) == .empty)
        #expect(Self.violation(.text("\u{3000}я"), .custom("loyaltyTier")) == nil)
        #expect(Self.violation(.text("Олена"), .standard(.firstName)) == nil)
        #expect(Self.violation(.text("Олена\u{A0}"), .standard(.firstName)) == .invalidCharacters)
        #expect(Self.violation(.text("\u{2003}Олена"), .standard(.firstName)) == .invalidCharacters)
        #expect(Self.violation(.text("Оле\u{9B}на"), .standard(.firstName)) == .invalidCharacters)
        #expect(Self.violation(.text("Оле\nна"), .standard(.firstName)) == .invalidCharacters)
        #expect(Self.violation(.text("Оле\nна"), .custom("loyaltyTier")) == nil)
        #expect(Self.violation(Self.text(40), .standard(.firstName)) == nil)
        #expect(Self.violation(Self.text(41), .standard(.firstName)) == .tooLong)
        #expect(Self.violation(Self.text(41, "丁"), .standard(.firstName)) == .tooLong)
    }
}
