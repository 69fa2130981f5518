/// The transfer encodings the message builder uses: base64 (RFC 2045 §6.8, for encoded-words)
/// and quoted-printable (RFC 2045 §6.7, for the bodies), both giving 7-bit lines that any SMTP
/// server relays unchanged.
enum MailEncoding {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let hex = Array("0123456789ABCDEF".utf8)

    /// Standard base64 with padding, on one line.
    static func base64(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let first = bytes[index]
            let second = index + 1 < bytes.count ? bytes[index + 1] : 0
            let third = index + 2 < bytes.count ? bytes[index + 2] : 0
            out.append(alphabet[Int(first >> 2)])
            out.append(alphabet[Int((first & 0x03) << 4 | second >> 4)])
            out.append(index + 1 < bytes.count ? alphabet[Int((second & 0x0F) << 2 | third >> 6)] : UInt8(ascii: "="))
            out.append(index + 2 < bytes.count ? alphabet[Int(third & 0x3F)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The lines of `text`, whatever its line ends (CRLF, LF or CR).
    static func lines(_ text: String) -> [Substring] {
        text.replacingLineEnds().split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// `text` as quoted-printable UTF-8 with CRLF line ends: hard breaks where the text has
    /// them, soft breaks (`=` at the end) so that no line passes 76 characters; `=`, control
    /// characters, non-ASCII bytes and white space at a line's end are written `=XX`.
    static func quotedPrintable(_ text: String) -> [UInt8] {
        var out = [UInt8]()
        for (number, line) in lines(text).enumerated() {
            if number > 0 { out += [0x0D, 0x0A] }
            let bytes = Array(line.utf8)
            var length = 0
            for (index, byte) in bytes.enumerated() {
                let last = index == bytes.count - 1
                let literal = (byte >= 0x21 && byte <= 0x7E && byte != 0x3D) || ((byte == 0x20 || byte == 0x09) && !last)
                let piece: [UInt8] = literal ? [byte] : [0x3D, hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
                // Leave room for the soft break's `=` unless this is the line's last piece.
                if length + piece.count > (last ? 76 : 75) {
                    out += [0x3D, 0x0D, 0x0A]
                    length = 0
                }
                out += piece
                length += piece.count
            }
        }
        return out
    }
}

extension String {
    /// The text with every CRLF and lone CR turned into LF.
    func replacingLineEnds() -> String {
        var scalars = String.UnicodeScalarView()
        var previousCR = false
        for scalar in unicodeScalars {
            if scalar == "\r" {
                scalars.append("\n")
                previousCR = true
                continue
            }
            if scalar == "\n" && previousCR {
                previousCR = false
                continue
            }
            previousCR = false
            scalars.append(scalar)
        }
        return String(scalars)
    }
}
