extension TextEncodingChoice {
    /// How much text the UTF-8 test looks at.
    static let sampleSize = 64 * 1024

    /// Detects the encoding of a text file, in this order:
    /// 1. a byte-order mark: UTF-8, UTF-32LE/BE, UTF-16LE/BE;
    /// 1a. UTF-16LE/BE without a mark, when NUL bytes fill one of the two byte positions
    ///    (`utf16WithoutMark`): read as UTF-8 it would give a NUL after every letter;
    /// 2. UTF-8 when the 64 KiB sample starting at the first non-ASCII byte is mostly well-formed:
    ///    every line is, or at least four in five of its lines with non-ASCII bytes are
    ///    (`UTF8Validation.Survey.favoursUTF8`; a character cut by the end of the sample does not
    ///    count against it). The odd invalid rows of such a file are then rejected one by one
    ///    (`RowProblem.undecodableText`) rather than turning every other row into mojibake;
    /// 3. windows-1251 otherwise, the usual encoding of Cyrillic exports that are not UTF-8.
    ///
    /// The sample starts at the first non-ASCII byte, not at byte 0, because an export often begins
    /// with thousands of ASCII-only rows (phones, e-mails) and only later reaches names.
    /// A file without any non-ASCII byte is reported as UTF-8 (ASCII is a subset).
    ///
    /// - Parameters:
    ///   - prefix: the first bytes of the file (at least `sampleSize` unless the file is shorter).
    ///   - prefixIsWholeFile: whether `prefix` is the entire file.
    ///   - readAt: reads up to `count` bytes at an offset, for scanning beyond the prefix.
    static func detect(
        prefix: [UInt8], prefixIsWholeFile: Bool, readAt: (Int64, Int) throws -> [UInt8]
    ) rethrows -> TextEncodingChoice {
        if let marked = fromByteOrderMark(prefix) { return marked }
        if let unmarked = utf16WithoutMark(prefix) { return unmarked }
        var offset: Int64 = 0
        var window = prefix
        var windowIsLast = prefixIsWholeFile
        while true {
            if let first = firstNonASCII(in: window) {
                var sample = Array(window[first...].prefix(sampleSize))
                var sampleIsLast = windowIsLast
                if sample.count < sampleSize && !windowIsLast {
                    let start = offset + Int64(first)
                    sample = try readAt(start, sampleSize)
                    sampleIsLast = sample.count < sampleSize
                }
                return UTF8Validation.survey(sample, endsFile: sampleIsLast).favoursUTF8 ? .utf8 : .windows1251
            }
            if windowIsLast { return .utf8 }
            offset += Int64(window.count)
            window = try readAt(offset, 1024 * 1024)
            windowIsLast = window.isEmpty
        }
    }

    /// The encoding announced by a byte-order mark, if the file starts with one.
    static func fromByteOrderMark(_ prefix: [UInt8]) -> TextEncodingChoice? {
        if prefix.starts(with: utf8BOM) {
            return TextEncodingChoice(name: "UTF-8", iconvName: nil, bomLength: 3)
        }
        if prefix.starts(with: [0xFF, 0xFE, 0x00, 0x00]) {
            return TextEncodingChoice(name: "UTF-32LE", iconvName: "UTF-32LE", bomLength: 4)
        }
        if prefix.starts(with: [0x00, 0x00, 0xFE, 0xFF]) {
            return TextEncodingChoice(name: "UTF-32BE", iconvName: "UTF-32BE", bomLength: 4)
        }
        if prefix.starts(with: [0xFF, 0xFE]) {
            return TextEncodingChoice(name: "UTF-16LE", iconvName: "UTF-16LE", bomLength: 2)
        }
        if prefix.starts(with: [0xFE, 0xFF]) {
            return TextEncodingChoice(name: "UTF-16BE", iconvName: "UTF-16BE", bomLength: 2)
        }
        return nil
    }

    /// The index of the first byte with bit 7 set, looking at eight bytes at a time: a pure-ASCII
    /// file is scanned to its end, so this runs at memory speed.
    private static func firstNonASCII(in bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { buffer -> Int? in
            guard let base = buffer.baseAddress else { return nil }
            var index = 0
            while index + 8 <= buffer.count {
                let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
                if word & 0x8080_8080_8080_8080 != 0 { break }
                index += 8
            }
            while index < buffer.count {
                if base[index] >= 0x80 { return index }
                index += 1
            }
            return nil
        }
    }
}
