import Foundation

/// Text conventions of SpreadsheetML.
enum SpreadsheetText {
    /// Decodes `_xHHHH_` escapes (ECMA-376 ST_Xstring), which Excel writes for characters XML cannot
    /// carry, such as `_x000D_` for a carriage return; `_x005F_` escapes a literal underscore.
    static func decodingEscapes(_ text: String) -> String {
        guard hasEscapeMarker(text) else { return text }
        var result = ""
        var rest = text[...]
        while let start = rest.range(of: "_x") {
            result += rest[..<start.lowerBound]
            let hex = rest[start.upperBound...].prefix(5)
            if hex.count == 5, hex.last == "_", let code = UInt32(hex.dropLast(), radix: 16),
                let scalar = Unicode.Scalar(code)
            {
                result.unicodeScalars.append(scalar)
                rest = rest[rest.index(start.upperBound, offsetBy: 5)...]
            } else {
                result += "_x"
                rest = rest[start.upperBound...]
            }
        }
        return result + rest
    }

    /// Whether `text` contains `_x`; a byte scan, because this runs for every string cell.
    private static func hasEscapeMarker(_ text: String) -> Bool {
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if previous == UInt8(ascii: "_") && byte == UInt8(ascii: "x") { return true }
            previous = byte
        }
        return false
    }

    /// The zero-based column of a cell reference such as `C5` (2) or `AB12` (27); nil when the
    /// letters are missing or beyond Excel's last column, XFD.
    static func column(ofReference reference: String) -> Int? {
        var column = 0
        var letters = 0
        for byte in reference.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                column = column * 26 + Int(byte - UInt8(ascii: "A")) + 1
            case UInt8(ascii: "a")...UInt8(ascii: "z"):
                column = column * 26 + Int(byte - UInt8(ascii: "a")) + 1
            default:
                return letters > 0 && column <= maxColumns ? column - 1 : nil
            }
            letters += 1
            if letters > 3 { return nil }
        }
        return letters > 0 && column <= maxColumns ? column - 1 : nil
    }

    /// Excel's column limit (A to XFD).
    static let maxColumns = 16_384

    /// The letters of zero-based `column`, for messages such as "cell C5".
    static func columnLetters(_ column: Int) -> String {
        var value = column + 1
        var letters = ""
        while value > 0 {
            let remainder = (value - 1) % 26
            letters.insert(Character(Unicode.Scalar(UInt8(ascii: "A") + UInt8(remainder))), at: letters.startIndex)
            value = (value - 1) / 26
        }
        return letters
    }
}
