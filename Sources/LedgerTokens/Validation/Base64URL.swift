/// Base64url (RFC 4648 §5), as web push writes keys: `-` and `_` for `+` and `/`, padding
/// optional. Standard base64's `+` and `/` are not accepted: a key written that way was
/// re-encoded somewhere, and is refused with a reason rather than guessed at.
public enum Base64URL {
    /// The bytes `text` encodes; nil when it is not base64url.
    public static func decode(_ text: String) -> [UInt8]? {
        // In place when the string is native (its UTF-8 contiguous), as imported ones are.
        text.utf8.withContiguousStorageIfAvailable(decode(utf8:)) ?? Array(text.utf8).withUnsafeBufferPointer(decode(utf8:))
    }

    /// The bytes `input` (UTF-8) encodes: up to two `=` at the end, every other byte of the
    /// alphabet, and not one character more than a whole number of bytes needs. Decoded by a
    /// table into an array of the final size (a key a row, two keys per subscription).
    static func decode(utf8 input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var end = input.count
        while end > 0, input[end - 1] == UInt8(ascii: "=") { end -= 1 }
        // More than two `=`; or 6 bits left over, which cannot be a whole encoding.
        guard input.count - end <= 2, end % 4 != 1 else { return nil }
        let count = end / 4 * 3 + (end % 4 == 0 ? 0 : end % 4 - 1)
        var valid = true
        let output = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            table.withUnsafeBufferPointer { table in
                var bits: UInt32 = 0
                var held = 0
                var written = 0
                for index in 0..<end {
                    let value = table[Int(input[index])]
                    guard value != invalid else {
                        valid = false
                        break
                    }
                    bits = bits << 6 | UInt32(value)
                    held += 6
                    if held >= 8 {
                        held -= 8
                        buffer[written] = UInt8(truncatingIfNeeded: bits >> UInt32(held))
                        written += 1
                    }
                }
                initialized = written
            }
        }
        return valid ? output : nil
    }

    private static let invalid: UInt8 = 0xFF

    /// Each byte's 6-bit value in the base64url alphabet; `invalid` for every other byte.
    private static let table: [UInt8] = (0...255).map { byte in value(UInt8(byte)) ?? invalid }

    /// The base64url text of `bytes`, without padding.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var out = [UInt8]()
        var bits: UInt32 = 0
        var count = 0
        for byte in bytes {
            bits = bits << 8 | UInt32(byte)
            count += 8
            while count >= 6 {
                count -= 6
                out.append(alphabet[Int(bits >> UInt32(count) & 63)])
            }
        }
        if count > 0 { out.append(alphabet[Int(bits << UInt32(6 - count) & 63)]) }
        return String(decoding: out, as: UTF8.self)
    }

    private static func value(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "-"): 62
        case UInt8(ascii: "_"): 63
        default: nil
        }
    }
}
