/// Strict UTF-8 well-formedness (Unicode Table 3-7), able to tell a sequence cut by the end of a
/// sample from bytes that are simply not UTF-8.
enum UTF8Validation {
    /// The verdict on a byte range.
    enum Outcome: Equatable {
        /// Every byte belongs to a well-formed sequence.
        case valid
        /// Well-formed except for the start of a sequence at the very end, as when a sample cuts a character.
        case truncated
        /// Some bytes are not UTF-8.
        case invalid
    }

    /// Validates `bytes`; ASCII runs are skipped eight bytes at a time since most contact data is ASCII.
    static func validate(_ bytes: UnsafeBufferPointer<UInt8>) -> Outcome {
        guard let base = bytes.baseAddress else { return .valid }
        let count = bytes.count
        var index = 0
        while index < count {
            if index + 8 <= count {
                let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
                if word & 0x8080_8080_8080_8080 == 0 {
                    index += 8
                    continue
                }
            }
            let lead = base[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            guard let (length, secondRange) = sequenceShape(lead: lead) else { return .invalid }
            let available = min(length, count - index)
            for offset in 1..<available {
                let byte = base[index + offset]
                let range: ClosedRange<UInt8> = offset == 1 ? secondRange : 0x80...0xBF
                guard range.contains(byte) else { return .invalid }
            }
            if available < length { return .truncated }
            index += length
        }
        return .valid
    }

    /// Validates the bytes of an array.
    static func validate(_ bytes: [UInt8]) -> Outcome {
        bytes.withUnsafeBufferPointer { validate($0) }
    }

    /// The sequence length announced by a lead byte and the allowed range of the byte after it, which
    /// is what excludes overlong forms, surrogates and code points above U+10FFFF.
    private static func sequenceShape(lead: UInt8) -> (Int, ClosedRange<UInt8>)? {
        switch lead {
        case 0xC2...0xDF: return (2, 0x80...0xBF)
        case 0xE0: return (3, 0xA0...0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: return (3, 0x80...0xBF)
        case 0xED: return (3, 0x80...0x9F)
        case 0xF0: return (4, 0x90...0xBF)
        case 0xF1...0xF3: return (4, 0x80...0xBF)
        case 0xF4: return (4, 0x80...0x8F)
        default: return nil
        }
    }
}
