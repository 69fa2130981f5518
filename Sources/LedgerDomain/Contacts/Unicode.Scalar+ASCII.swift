/// ASCII classes for the rules' shape checks, which must not accept look-alike letters.
extension Unicode.Scalar {
    /// `A`–`Z` or `a`–`z`.
    var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
    /// `0`–`9`.
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
