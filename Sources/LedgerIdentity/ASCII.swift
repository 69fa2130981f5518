/// ASCII byte values and classes, for byte-level parsing without `Character` work.
enum ASCII {
    static let tab: UInt8 = 0x09
    static let lineFeed: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let openParenthesis: UInt8 = 0x28
    static let closeParenthesis: UInt8 = 0x29
    static let plus: UInt8 = 0x2B
    static let hyphen: UInt8 = 0x2D
    static let dot: UInt8 = 0x2E
    static let slash: UInt8 = 0x2F
    static let zero: UInt8 = 0x30
    static let eight: UInt8 = 0x38
    static let at: UInt8 = 0x40

    /// True for `0` to `9`.
    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool {
        byte &- zero < 10
    }

    /// True for space, tab, line feed, vertical tab, form feed and carriage return.
    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == space || (byte >= tab && byte <= carriageReturn)
    }

    /// True for `A` to `Z`.
    @inline(__always)
    static func isUppercaseLetter(_ byte: UInt8) -> Bool {
        byte &- 0x41 < 26
    }

    /// True for `a` to `z`.
    @inline(__always)
    static func isLowercaseLetter(_ byte: UInt8) -> Bool {
        byte &- 0x61 < 26
    }
}
