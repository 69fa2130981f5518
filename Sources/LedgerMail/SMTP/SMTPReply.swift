/// One SMTP reply (RFC 5321 §4.2): a three-digit code and its text lines (a multi-line reply
/// has several, `250-…` then `250 …`).
public struct SMTPReply: Hashable, Sendable, CustomStringConvertible {
    /// The reply code, 200 to 599.
    public let code: Int
    /// The text after the code, one element per line.
    public let lines: [String]

    /// Describes a reply.
    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    /// The code and the lines joined by spaces, e.g. `250 2.0.0 Ok: queued as 4B1F`.
    public var description: String {
        ([String(code)] + lines.filter { !$0.isEmpty }).joined(separator: " ")
    }

    /// The text with every word that holds an `@` replaced by `[address]`, control characters
    /// dropped, and cut at 300 characters: what the outbox records and logs. Servers echo
    /// recipients' addresses (`550 5.1.1 <a@b>: unknown user`), and outbox events hold no
    /// personal data.
    public static func scrubbed(_ text: String) -> String {
        let words = text.split(separator: " ", omittingEmptySubsequences: false).map { word in
            word.contains("@") ? "[address]" : String(word)
        }
        let joined = String(String.UnicodeScalarView(words.joined(separator: " ").unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }))
        return joined.count > 300 ? String(joined.prefix(300)) + "…" : joined
    }
}
