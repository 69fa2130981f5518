/// The text checks behind the field rules; messages give lengths and positions, never text.
/// Subjects are autoclosures: a field's name for a message is only built when a check fails,
/// not for every value of a bulk import.
extension ContactFieldRules {
    /// One line (a name, a label): not blank, no control characters, no surrounding spaces.
    static func checkLine(_ text: String, _ subject: @autoclosure () -> String, maxLength: Int) throws(FieldRuleViolation) {
        try checkText(text, subject(), maxLength: maxLength, allowsLineControls: false)
        let scalars = text.unicodeScalars
        if let first = scalars.first, let last = scalars.last, first.isWhiteSpaceProperty || last.isWhiteSpaceProperty {
            throw FieldRuleViolation(.invalidCharacters, subject(), "leading or trailing whitespace")
        }
    }

    /// Free text: not blank, at most `maxLength`, control characters only tab and line breaks.
    static func checkText(_ text: String, _ subject: @autoclosure () -> String, maxLength: Int) throws(FieldRuleViolation) {
        try checkText(text, subject(), maxLength: maxLength, allowsLineControls: true)
    }

    /// One pass over the scalars for length and control characters. General category Cc is one
    /// of Unicode's immutable sets (U+0000–U+001F and U+007F–U+009F), so it is tested by range:
    /// looking the category up per scalar was a tenth of a bulk import's time.
    private static func checkText(_ text: String, _ subject: @autoclosure () -> String, maxLength: Int, allowsLineControls: Bool) throws(FieldRuleViolation) {
        let scalars = text.unicodeScalars
        guard scalars.contains(where: { !$0.isWhiteSpaceProperty }) else {
            throw FieldRuleViolation(.empty, subject(), "blank text; clear the field with no value instead")
        }
        var count = 0
        var firstControl: Int?
        var firstOtherControl: Int?
        for scalar in scalars {
            count += 1
            let value = scalar.value
            if value < 0x20 || (0x7F...0x9F).contains(value) {
                if firstControl == nil { firstControl = count }
                if firstOtherControl == nil && value != 0x09 && value != 0x0A && value != 0x0D { firstOtherControl = count }
            }
        }
        guard count <= maxLength else {
            throw FieldRuleViolation(.tooLong, subject(), "at most \(maxLength) characters, got \(count)")
        }
        // Tab and line breaks are reported after any other control character, as before.
        if let position = firstOtherControl ?? (allowsLineControls ? nil : firstControl) {
            throw FieldRuleViolation(.invalidCharacters, subject(), "control character at position \(position)")
        }
    }

    /// A BCP 47 shape: 2–3 letter language, then `-`-separated subtags of 1–8 letters or digits.
    static func checkLanguageCode(_ text: String, _ subject: @autoclosure () -> String) throws(FieldRuleViolation) {
        guard text.unicodeScalars.count <= maxLanguageCodeLength else {
            throw FieldRuleViolation(.tooLong, subject(), "at most \(maxLanguageCodeLength) characters")
        }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard let language = parts.first, (2...3).contains(language.unicodeScalars.count),
              language.unicodeScalars.allSatisfy(\.isASCIILetter),
              parts.dropFirst().allSatisfy({ part in
                  (1...8).contains(part.unicodeScalars.count)
                      && part.unicodeScalars.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit }
              })
        else {
            throw FieldRuleViolation(.invalidFormat, subject(), "not a language tag like en or pt-BR")
        }
    }

    /// An IANA zone name's shape (`Europe/Kyiv`, `UTC`, `Etc/GMT+3`); whether the zone exists
    /// is the time zone database's business, which this module does not load.
    static func checkTimeZone(_ text: String, _ subject: @autoclosure () -> String) throws(FieldRuleViolation) {
        let scalars = text.unicodeScalars
        guard !scalars.isEmpty else { throw FieldRuleViolation(.empty, subject(), "no zone name") }
        guard scalars.count <= maxTimeZoneLength else {
            throw FieldRuleViolation(.tooLong, subject(), "at most \(maxTimeZoneLength) characters")
        }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.allSatisfy({ part in
            guard let first = part.unicodeScalars.first, first.isASCIILetter else { return false }
            return part.unicodeScalars.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || "_-+".unicodeScalars.contains($0) }
        }) else {
            throw FieldRuleViolation(.invalidFormat, subject(), "not a zone name like Europe/Kyiv")
        }
    }
}
