/// The text checks behind the field rules; messages give lengths and positions, never text.
/// Subjects are autoclosures: a field's name for a message is only built when a check fails,
/// not for every value of a bulk import.
extension ContactFieldRules {
    /// One line (a name, a label): not blank, no control characters, no surrounding spaces.
    static func checkLine(_ text: String, _ subject: @autoclosure () -> String, maxLength: Int) throws(FieldRuleViolation) {
        try checkText(text, subject(), maxLength: maxLength, allowsLineControls: false)
        // An ASCII byte at either end is a whole scalar: only a multi-byte one is decoded
        // (decoding the last scalar of a string walks back through its bytes generically).
        let ends: (first: UInt8, last: UInt8)? = text.utf8.withContiguousStorageIfAvailable { bytes in
            bytes.isEmpty ? nil : (bytes[0], bytes[bytes.count - 1])
        } ?? nil
        if let ends, ends.first < 0x80 && ends.last < 0x80 {
            if Unicode.Scalar(ends.first).isWhiteSpaceProperty || Unicode.Scalar(ends.last).isWhiteSpaceProperty {
                throw FieldRuleViolation(.invalidCharacters, subject(), "leading or trailing whitespace")
            }
            return
        }
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
        if let scan = text.utf8.withContiguousStorageIfAvailable({ TextScan($0) }), !scan.needsScalars {
            guard !scan.blank else {
                throw FieldRuleViolation(.empty, subject(), "blank text; clear the field with no value instead")
            }
            guard scan.count <= maxLength else {
                throw FieldRuleViolation(.tooLong, subject(), "at most \(maxLength) characters, got \(scan.count)")
            }
            if let position = scan.firstOtherControl ?? (allowsLineControls ? nil : scan.firstControl) {
                throw FieldRuleViolation(.invalidCharacters, subject(), "control character at position \(position)")
            }
            return
        }
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

/// What `checkText` asks of a text, read from its UTF-8 bytes in one pass instead of decoding
/// its scalars: text values are checked for every field of every imported row. A scalar's
/// length in UTF-8 is told by its lead byte; the controls (Cc) are the bytes below 0x20 and
/// 0x7F, and U+0080–U+009F, which are 0xC2 then 0x80–0x9F. Whether text is blank is answered
/// from the bytes up to U+07FF (White_Space has U+0085 and U+00A0 there, and no other scalar
/// past ASCII): a text that is blank but for scalars of three or four bytes is left to the
/// scalar check (`needsScalars`). `ContactFieldRulesTests` holds it to the scalar check.
package struct TextScan {
    /// Scalars in the text.
    package var count = 0
    /// The 1-based position of the first control character, and of the first one other than
    /// tab and the line breaks.
    package var firstControl: Int?
    package var firstOtherControl: Int?
    /// Whether every scalar is White_Space (valid only without `needsScalars`).
    package var blank = true
    /// Whether the bytes could not tell: no ASCII non-space byte, and some non-ASCII scalar.
    package var needsScalars = false

    package init(_ bytes: UnsafeBufferPointer<UInt8>) {
        // A scalar of three or four bytes was seen, which the bytes do not class as space or not.
        var undecided = false
        var index = 0
        let end = bytes.count
        while index < end {
            let byte = bytes[index]
            // Every byte but a continuation byte (10xxxxxx) starts a scalar.
            if byte & 0xC0 != 0x80 { count += 1 }
            if byte > 0x20 && byte < 0x7F {
                // Printable ASCII, most bytes of most values: not white space, not a control.
                blank = false
            } else if byte < 0x80 {
                if byte != 0x20 {
                    // The C0 controls and DEL; tab and the line breaks U+000A–U+000D are also White_Space.
                    if firstControl == nil { firstControl = count }
                    if firstOtherControl == nil && byte != 0x09 && byte != 0x0A && byte != 0x0D { firstOtherControl = count }
                    if blank && !(0x09...0x0D).contains(byte) { blank = false }
                }
            } else if byte == 0xC2 {
                // U+0080–U+00BF: the C1 controls, and the White_Space U+0085 and U+00A0.
                let next = index + 1 < end ? bytes[index + 1] : 0
                if (0x80...0x9F).contains(next) {
                    if firstControl == nil { firstControl = count }
                    if firstOtherControl == nil { firstOtherControl = count }
                }
                if blank && next != 0x85 && next != 0xA0 { blank = false }
            } else if blank && byte >= 0xC0 {
                // U+00C0–U+07FF (Latin with accents, Greek, Cyrillic, …) are none of them
                // White_Space; longer scalars are left undecided.
                if byte < 0xE0 { blank = false } else { undecided = true }
            }
            index += 1
        }
        needsScalars = blank && undecided
    }
}
