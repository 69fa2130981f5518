/// ASCII classes for the rules' shape checks, which must not accept look-alike letters.
extension Unicode.Scalar {
    /// `A`–`Z` or `a`–`z`.
    var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
    /// `0`–`9`.
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

extension Unicode.Scalar {
    /// Unicode's White_Space property, answered without a property look-up for ASCII (tab, the
    /// line breaks U+000A–U+000D and space are its only ASCII members): imports trim and check
    /// every cell, and the look-up per scalar was a few percent of an import's CPU.
    public var isWhiteSpaceProperty: Bool {
        guard isASCII else { return properties.isWhitespace }
        return self == " " || (0x09...0x0D).contains(value)
    }
}
