extension String {
    /// The string without leading and trailing white space (Unicode White_Space, which covers
    /// the no-break spaces spreadsheets like to leave).
    ///
    /// Most cells have none, so those are returned as they are without allocating: Foundation's
    /// `trimmingCharacters(in:)` bridges through NSString on every call, and cost an import a
    /// sixth of its time.
    public var trimmingWhitespace: String {
        let utf8 = self.utf8
        guard let first = utf8.first, let last = utf8.last else { return self }
        func plain(_ byte: UInt8) -> Bool { byte > 0x20 && byte < 0x80 }
        if plain(first) && plain(last) { return self }
        // White_Space scalars beyond ASCII all start with one of these bytes in UTF-8 (U+0085,
        // U+00A0; U+1680; U+2000–U+205F; U+3000): a cell that starts and ends with none of
        // them, such as a Cyrillic name, has nothing to trim. Tests check every scalar.
        if !Self.mayStartWhiteSpace(first) && !Self.mayStartWhiteSpace(Self.leadByteOfLastScalar(utf8)) { return self }
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.isWhiteSpaceProperty }) else { return "" }
        let end = scalars.lastIndex(where: { !$0.isWhiteSpaceProperty }) ?? start
        // Names in other scripts start and end outside ASCII, mostly with nothing to trim.
        if start == scalars.startIndex && scalars.index(after: end) == scalars.endIndex { return self }
        return String(scalars[start...end])
    }

    /// Whether a scalar whose UTF-8 starts with `byte` may be White_Space.
    static func mayStartWhiteSpace(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x09...0x0D, 0x20, 0xC2, 0xE1, 0xE2, 0xE3: true
        default: false
        }
    }

    /// The first byte of the last scalar of non-empty valid UTF-8 (Strings always are).
    static func leadByteOfLastScalar(_ utf8: String.UTF8View) -> UInt8 {
        var index = utf8.index(before: utf8.endIndex)
        // Back over the continuation bytes (10xxxxxx), at most three.
        while index > utf8.startIndex && utf8[index] & 0xC0 == 0x80 {
            index = utf8.index(before: index)
        }
        return utf8[index]
    }
}
