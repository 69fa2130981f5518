/// ASCII classes for the rules' shape checks, which must not accept look-alike letters.
extension Unicode.Scalar {
    /// `A`–`Z` or `a`–`z`.
    var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
    /// `0`–`9`.
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

extension Unicode.Scalar {
    /// Unicode's White_Space property, answered without a property look-up below U+1680 (tab,
    /// the line breaks U+000A–U+000D, space, U+0085 and U+00A0 are its only members there):
    /// imports trim and check every cell, names in Cyrillic, Greek or Latin with accents start
    /// and end in that range, and the look-up per scalar was a few percent of an import's CPU.
    /// `ContactFieldRulesTests` holds it to the look-up for every scalar.
    public var isWhiteSpaceProperty: Bool {
        let value = value
        if value < 0x80 { return value == 0x20 || (0x09...0x0D).contains(value) }
        // U+1680 OGHAM SPACE MARK is the first White_Space scalar after U+00A0.
        if value < 0x1680 { return value == 0x85 || value == 0xA0 }
        return properties.isWhitespace
    }
}
