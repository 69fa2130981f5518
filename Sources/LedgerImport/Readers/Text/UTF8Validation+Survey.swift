extension UTF8Validation {
    /// How the lines of a sample fare as UTF-8: the evidence `TextEncodingChoice.detect` weighs.
    struct Survey: Equatable {
        /// Lines with at least one multi-byte character and no invalid byte.
        var multibyteLines = 0
        /// Lines with at least one byte that is not UTF-8.
        var invalidLines = 0

        /// Whether the sample reads as UTF-8: no invalid line at all, or at least
        /// `multibyteLinesPerInvalidLine` well-formed multi-byte lines for each invalid one.
        ///
        /// Text in a legacy 8-bit encoding is almost never valid UTF-8 line by line: a lowercase
        /// Cyrillic letter in windows-1251 (E0–FF) or KOI8 (C0–DF), or a Latin-1 accent, is a lead
        /// byte that the next letter cannot continue. So a sample where well-formed multi-byte
        /// lines dominate is UTF-8 with a few stray rows (one pasted from another program), and
        /// those rows are rejected one by one. Decoding the whole file as windows-1251 instead
        /// would silently turn every good row into mojibake.
        var favoursUTF8: Bool {
            invalidLines == 0 || multibyteLines >= Self.multibyteLinesPerInvalidLine * invalidLines
        }

        /// Four in five of the non-ASCII lines must be well-formed for a sample with invalid lines to be UTF-8.
        static let multibyteLinesPerInvalidLine = 4
    }

    /// Surveys `bytes` line by line (lines end at LF, which is 0x0A in UTF-8 and in every 8-bit
    /// encoding detection chooses between). A multi-byte character cut by the end of the bytes
    /// counts against UTF-8 only when `endsFile` says the text really ends there.
    static func survey(_ bytes: [UInt8], endsFile: Bool) -> Survey {
        var result = Survey()
        bytes.withUnsafeBufferPointer { buffer in
            var start = 0
            while start < buffer.count {
                let newline = buffer[start...].firstIndex(of: 0x0A)
                let end = newline ?? buffer.count
                let line = UnsafeBufferPointer(rebasing: buffer[start..<end])
                if line.contains(where: { $0 >= 0x80 }) {
                    switch validate(line) {
                    case .valid: result.multibyteLines += 1
                    case .invalid: result.invalidLines += 1
                    case .truncated:
                        // Only the sample's last line can be cut by its end.
                        if newline != nil || endsFile { result.invalidLines += 1 }
                    }
                }
                start = end + 1
            }
        }
        return result
    }
}
