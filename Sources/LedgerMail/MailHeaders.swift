import Foundation

/// Header-level rules of the message builder: what a header value may hold, and how text that
/// is not plain ASCII is written (RFC 2047 encoded-words).
enum MailHeaders {
    /// Refuses a header value that holds CR, LF or any other control character (C0, DEL, C1,
    /// and U+2028/U+2029): a person's input that reaches a header must never start a header
    /// or a body of its own. The message names the header, not the value.
    static func checkValue(_ value: String, header: String) throws(MailError) {
        for scalar in value.unicodeScalars {
            let code = scalar.value
            if code < 0x20 || code == 0x7F || (0x80..<0xA0).contains(code) || code == 0x2028 || code == 0x2029 {
                let what = code == 0x0D ? "a carriage return (CR)" : code == 0x0A ? "a line feed (LF)" : "a control character"
                throw MailError(.unsafeHeader, "the \(header) header value holds \(what); refused (header injection)")
            }
        }
    }

    /// Whether `text` can be written as it is: printable ASCII and spaces, and nothing that
    /// looks like an encoded-word.
    static func isPlain(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F } && !text.contains("=?")
    }

    /// An unstructured header's value (`Subject`): as it is when plain ASCII, folded at spaces;
    /// otherwise RFC 2047 `=?UTF-8?B?…?=` words of whole characters, each at most 75
    /// characters, on lines of their own.
    static func unstructured(_ text: String, headerName: String) -> String {
        if isPlain(text) { return fold(text, firstLineUsed: headerName.count + 2) }
        return encodedWords(text).joined(separator: "\r\n ")
    }

    /// A display name: as it is when it is plain letters, digits and spaces; quoted when it
    /// is plain ASCII with specials; encoded-words otherwise.
    static func phrase(_ text: String) -> String {
        if text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x20 }) { return text }
        if isPlain(text) {
            return "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return encodedWords(text).joined(separator: " ")
    }

    /// `text` as base64 encoded-words, each holding at most 39 bytes of whole UTF-8
    /// characters (52 base64 characters, 64 with the `=?UTF-8?B?` and `?=` around them), so that
    /// even the first line, after `Subject: `, stays within 78.
    static func encodedWords(_ text: String) -> [String] {
        var words = [String]()
        var chunk = [UInt8]()
        for character in text {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 39, !chunk.isEmpty {
                words.append("=?UTF-8?B?" + MailEncoding.base64(chunk) + "?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append("=?UTF-8?B?" + MailEncoding.base64(chunk) + "?=") }
        return words
    }

    /// Folds plain text at spaces so that lines stay within 78 characters where a space allows
    /// (never before an empty word: a folded line may not be white space only).
    static func fold(_ text: String, firstLineUsed: Int) -> String {
        var out = ""
        var lineLength = firstLineUsed
        for (index, word) in text.split(separator: " ", omittingEmptySubsequences: false).enumerated() {
            if index == 0 {
                out += word
                lineLength += word.count
            } else if !word.isEmpty, lineLength + 1 + word.count > 78, lineLength > 1 {
                out += "\r\n " + word
                lineLength = 1 + word.count
            } else {
                out += " " + word
                lineLength += 1 + word.count
            }
        }
        return out
    }
}
