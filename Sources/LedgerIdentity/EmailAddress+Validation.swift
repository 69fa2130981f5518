extension EmailAddress {
    /// Longest local part (RFC 5321, 4.5.3.1.1).
    static let maximumLocalPartLength = 64
    /// Longest domain label (RFC 1035, 2.3.4).
    static let maximumLabelLength = 63
    /// Longest address (RFC 5321's 256-byte path less its angle brackets).
    static let maximumLength = 254

    /// Checks `bytes` and returns the lower-cased address with the offset of its `@`, or why not.
    ///
    /// One pass per part over UTF-8 bytes, no regular expressions: bulk imports
    /// call this millions of times. The checks run from the coarse to the fine,
    /// so the error names the most basic fault (no `@` before a bad character).
    static func validate(
        _ bytes: UnsafeBufferPointer<UInt8>,
        text: String
    ) -> Result<(value: String, atOffset: Int), EmailAddressError> {
        var start = 0
        var end = bytes.count
        while start < end && ASCII.isWhitespace(bytes[start]) { start += 1 }
        while end > start && ASCII.isWhitespace(bytes[end - 1]) { end -= 1 }
        guard start < end else {
            return .failure(EmailAddressError(code: .empty, message: "the e-mail address is empty"))
        }
        // Messages quote (the start of) the trimmed text as the caller wrote it.
        let shown = { ShownValue.prefix(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)) }

        var at = -1
        var atCount = 0
        var hasWhitespace = false
        for index in start..<end {
            let byte = bytes[index]
            if byte == ASCII.at {
                atCount += 1
                if at < 0 { at = index }
            } else if ASCII.isWhitespace(byte) {
                hasWhitespace = true
            }
        }
        if atCount == 0 {
            return fail(.notAnEmail, "'\(shown())' is not an e-mail address: it has no @")
        }
        if atCount > 1 {
            return fail(.multipleAtSigns, "'\(shown())' has more than one @")
        }
        if at == start {
            return fail(.emptyLocalPart, "'\(shown())' has nothing before the @")
        }
        if at == end - 1 {
            return fail(.emptyDomain, "'\(shown())' has no domain after the @")
        }
        if hasWhitespace {
            return fail(.containsWhitespace, "'\(shown())' has a space inside")
        }
        if end - start > maximumLength || at - start > maximumLocalPartLength {
            return fail(.tooLong, "'\(shown())' is longer than an e-mail address may be")
        }
        if let error = checkLocalPart(bytes, from: start, to: at, shown: shown) {
            return .failure(error)
        }
        if let error = checkDomain(bytes, from: at + 1, to: end, shown: shown) {
            return .failure(error)
        }

        // Most addresses come lower-case and trimmed already: `text` is then the value, shared
        // rather than copied into a new string (an allocation per row of an import, and a free).
        let isLowercased = start == 0 && end == bytes.count
            && !(start..<end).contains { ASCII.isUppercaseLetter(bytes[$0]) }
        let value = isLowercased ? text : String(unsafeUninitializedCapacity: end - start) { out in
            for index in start..<end {
                let byte = bytes[index]
                out[index - start] = ASCII.isUppercaseLetter(byte) ? byte | 0x20 : byte
            }
            return end - start
        }
        let atOffset = at - start
        if let error = checkTypo(value, atOffset: atOffset, shown: shown) {
            return .failure(error)
        }
        return .success((value, atOffset))
    }

    /// Local part: RFC 5322 "atext" and dots, with no dot first, last or doubled.
    private static func checkLocalPart(
        _ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, shown: () -> String
    ) -> EmailAddressError? {
        for index in start..<end {
            let byte = bytes[index]
            if byte == ASCII.dot {
                if index == start || index == end - 1 {
                    return error(.dotAtEdge, "'\(shown())' starts or ends its local part (before the @) with a dot")
                }
                if bytes[index - 1] == ASCII.dot {
                    return error(.consecutiveDots, "'\(shown())' has two dots in a row")
                }
            } else if !isLocalPartByte(byte) {
                return invalidCharacter(byte, shown: shown)
            }
        }
        return nil
    }

    /// Domain: labels of letters, digits and inner hyphens, at least two, and a real-looking TLD.
    private static func checkDomain(
        _ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, shown: () -> String
    ) -> EmailAddressError? {
        var labelStart = start
        var index = start
        while index <= end {
            guard index == end || bytes[index] == ASCII.dot else {
                let byte = bytes[index]
                if !isDomainByte(byte) {
                    return invalidCharacter(byte, shown: shown)
                }
                index += 1
                continue
            }
            let length = index - labelStart
            if length == 0 {
                return labelStart == start || index == end
                    ? error(.dotAtEdge, "'\(shown())' starts or ends its domain with a dot")
                    : error(.consecutiveDots, "'\(shown())' has two dots in a row")
            }
            if length > maximumLabelLength {
                return error(.tooLong, "'\(shown())' has a domain label longer than 63 characters")
            }
            if bytes[labelStart] == ASCII.hyphen || bytes[index - 1] == ASCII.hyphen {
                return error(.hyphenAtLabelEdge, "'\(shown())' has a domain label that starts or ends with '-'")
            }
            if index == end {
                if labelStart == start {
                    return error(.domainWithoutDot, "'\(shown())' has no dot in its domain")
                }
                return checkTopLevelDomain(bytes, from: labelStart, to: end, shown: shown)
            }
            labelStart = index + 1
            index += 1
        }
        return nil
    }

    /// No TLD is one character or all digits (RFC 3696, 2), so such an ending is a typo or an IP.
    private static func checkTopLevelDomain(
        _ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, shown: () -> String
    ) -> EmailAddressError? {
        var allDigits = true
        for index in start..<end where !ASCII.isDigit(bytes[index]) {
            allDigits = false
            break
        }
        if end - start == 1 || allDigits {
            return error(.invalidTopLevelDomain, "'\(shown())' does not end in a real top-level domain")
        }
        return nil
    }

    /// RFC 5322 "atext": letters, digits and ! # $ % & ' * + - / = ? ^ _ ` { | } ~.
    private static func isLocalPartByte(_ byte: UInt8) -> Bool {
        if ASCII.isDigit(byte) || ASCII.isLowercaseLetter(byte) || ASCII.isUppercaseLetter(byte) {
            return true
        }
        switch byte {
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
             UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "/"),
             UInt8(ascii: "="), UInt8(ascii: "?"), UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"),
             UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: "}"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Letters, digits and `-` (RFC 1035 "LDH" rule); dots are handled as separators.
    private static func isDomainByte(_ byte: UInt8) -> Bool {
        ASCII.isDigit(byte) || ASCII.isLowercaseLetter(byte) || ASCII.isUppercaseLetter(byte) || byte == ASCII.hyphen
    }

    private static func invalidCharacter(_ byte: UInt8, shown: () -> String) -> EmailAddressError {
        // Naming a visible ASCII character helps; a control byte or a lone byte
        // of a multi-byte character would not.
        let what: String
        if byte > ASCII.space && byte < 0x7F {
            what = "'\(Character(Unicode.Scalar(byte)))'"
        } else if byte < 0x80 {
            what = "a control character"
        } else {
            what = "a non-ASCII character (write domains in punycode, xn--…)"
        }
        return error(.invalidCharacters, "'\(shown())' has a character not allowed in an e-mail address: \(what)")
    }

    private static func error(_ code: EmailAddressError.Code, _ message: String) -> EmailAddressError {
        EmailAddressError(code: code, message: message)
    }

    private static func fail(
        _ code: EmailAddressError.Code, _ message: String
    ) -> Result<(value: String, atOffset: Int), EmailAddressError> {
        .failure(EmailAddressError(code: code, message: message))
    }
}
