extension PhoneNormalizer {
    /// Longest text looked at, in bytes; anything longer is refused before any work.
    static let maximumTextLength = 64
    /// Most digits kept: a 3-digit calling code and libphonenumber's 17 national digits.
    static let maximumDigits = 20

    /// What cleaning a written number produced.
    enum Cleaned: Equatable {
        /// `count` digits were copied to `buffer[1...]`; `hasPlus` if a leading `+` was seen.
        case digits(count: Int, hasPlus: Bool)
        /// The text was empty or whitespace only.
        case empty
        /// Only separators: nothing that could be a number.
        case noDigits
        /// More than `maximumDigits` digits.
        case tooManyDigits
        /// A byte that is neither a digit, a separator, nor a leading `+`.
        case invalidCharacter
    }

    /// True when `bytes` are `+` and 1 to `maximumDigits` ASCII digits, with nothing else.
    static func isPlainInternational(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count >= 2, bytes.count <= maximumDigits + 1, bytes[0] == ASCII.plus else {
            return false
        }
        for index in 1..<bytes.count where !ASCII.isDigit(bytes[index]) {
            return false
        }
        return true
    }

    /// Copies the digits of `bytes` to `buffer[1...]`, dropping separators; `buffer[0]` stays free for a `+`.
    ///
    /// `buffer` must hold `maximumDigits + 1` bytes. Separators are ASCII
    /// whitespace, `-`, `.`, `/`, `(`, `)`, the no-break space and the Unicode
    /// hyphens and dashes U+2010 to U+2015 (spreadsheets write those). A `+` is
    /// only accepted before the first digit.
    static func clean(_ bytes: UnsafeBufferPointer<UInt8>, into buffer: UnsafeMutableBufferPointer<UInt8>) -> Cleaned {
        var count = 0
        var hasPlus = false
        var sawAnything = false
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if ASCII.isDigit(byte) {
                guard count < maximumDigits else { return .tooManyDigits }
                count += 1
                buffer[count] = byte
                sawAnything = true
                continue
            }
            switch byte {
            case ASCII.space, ASCII.tab, ASCII.lineFeed, ASCII.carriageReturn:
                continue
            case ASCII.hyphen, ASCII.dot, ASCII.slash, ASCII.openParenthesis, ASCII.closeParenthesis:
                sawAnything = true
            case ASCII.plus:
                guard count == 0, !hasPlus else { return .invalidCharacter }
                hasPlus = true
                sawAnything = true
            case 0xC2 where index < bytes.count && bytes[index] == 0xA0:
                // U+00A0 NO-BREAK SPACE
                index += 1
            case 0xE2 where index + 1 < bytes.count && bytes[index] == 0x80 && (0x90...0x95).contains(bytes[index + 1]):
                // U+2010 HYPHEN through U+2015 HORIZONTAL BAR
                index += 2
                sawAnything = true
            default:
                return .invalidCharacter
            }
        }
        if count > 0 {
            return .digits(count: count, hasPlus: hasPlus)
        }
        return sawAnything ? .noDigits : .empty
    }
}
