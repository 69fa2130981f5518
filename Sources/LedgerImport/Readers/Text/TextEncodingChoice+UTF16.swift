extension TextEncodingChoice {
    /// How many leading bytes the UTF-16 tests look at.
    static let utf16SampleSize = 4096

    /// UTF-16LE or UTF-16BE for text without a byte-order mark, told by its NUL bytes: a
    /// contact file is mostly ASCII (delimiters, digits, e-mails), which UTF-16 writes as the
    /// character and a NUL, so NULs fill one of the two byte positions and not the other.
    /// Nil when the sample does not look like that (text in an 8-bit encoding has no NULs).
    static func utf16WithoutMark(_ prefix: [UInt8]) -> TextEncodingChoice? {
        let (even, odd, pairs) = nulCounts(prefix)
        // At least four characters, a quarter of them ASCII, and NULs nearly all on one side.
        guard pairs >= 4 else { return nil }
        if odd * 4 >= pairs && even * 8 <= odd {
            return TextEncodingChoice(name: "UTF-16LE", iconvName: "UTF-16LE", bomLength: 0)
        }
        if even * 4 >= pairs && odd * 8 <= even {
            return TextEncodingChoice(name: "UTF-16BE", iconvName: "UTF-16BE", bomLength: 0)
        }
        return nil
    }

    /// Whether `name` is a spelling of UTF-16 (LE, BE or unmarked).
    static func isUTF16(_ name: String) -> Bool {
        let squeezed = name.uppercased().filter { $0 != "-" && $0 != "_" }
        return ["UTF16", "UTF16LE", "UTF16BE", "UCS2", "UCS2LE", "UCS2BE"].contains(squeezed)
    }

    /// Refuses a named encoding the bytes cannot be in: UTF-16 named for a file without a single
    /// NUL byte in its first characters (an 8-bit file read as UTF-16 gives one line of CJK and
    /// no rows), or an 8-bit encoding named for a file that is plainly UTF-16.
    static func checkNamed(_ name: String, prefix: [UInt8], file: String) throws(ImportFileError) {
        if isUTF16(name) {
            let (even, odd, pairs) = nulCounts(prefix)
            if pairs >= 4 && even + odd == 0 && fromByteOrderMark(prefix) == nil {
                throw ImportFileError(
                    .encodingMismatch, file: file,
                    reason: "--encoding \(name) was given, but the file has no NUL bytes, as UTF-16 text always has; "
                        + "it is in an 8-bit encoding (leave out --encoding to detect it)")
            }
        } else if let marked = fromByteOrderMark(prefix) ?? utf16WithoutMark(prefix), marked.name.hasPrefix("UTF-16") || marked.name.hasPrefix("UTF-32") {
            throw ImportFileError(
                .encodingMismatch, file: file,
                reason: "--encoding \(name) was given, but the file is \(marked.name) text "
                    + "(leave out --encoding to detect it)")
        }
    }

    /// NUL bytes at even and odd offsets of the sample, and the number of byte pairs looked at.
    private static func nulCounts(_ prefix: [UInt8]) -> (even: Int, odd: Int, pairs: Int) {
        let sample = prefix.prefix(utf16SampleSize)
        var even = 0
        var odd = 0
        for (offset, byte) in sample.enumerated() where byte == 0 {
            if offset % 2 == 0 { even += 1 } else { odd += 1 }
        }
        return (even, odd, sample.count / 2)
    }
}
