/// Text made safe to print on a terminal: the one escaping every human-readable output path
/// (`Output`, `TextTable`, `ContactText`, error messages) goes through.
///
/// Control characters (Unicode category Cc: C0, DEL and C1, ESC and CSI among them) and the
/// bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) are written as escapes
/// (`\t`, `\r`, `\n`, else `\u001b`), so text recorded by anyone (an imported name, a file name,
/// a reason stored by an older build) cannot move the cursor, recolour, retitle or reorder what
/// the operator reads. The escapes are JSON's own, so escaping a line of JSON keeps it valid
/// JSON with the same value: a raw control character can only stand inside a JSON string.
enum TerminalText {
    /// `text` with every control character escaped; line feeds are kept when `keepingLineFeeds`
    /// (a whole multi-line message), and escaped otherwise (one cell, one value).
    static func escaped(_ text: String, keepingLineFeeds: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: { needsEscape($0, keepingLineFeeds: keepingLineFeeds) }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar, keepingLineFeeds: keepingLineFeeds) else {
                out.append(scalar)
                continue
            }
            let escape: String = switch scalar {
            case "\t": "\\t"
            case "\r": "\\r"
            case "\n": "\\n"
            default: "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            }
            out.append(contentsOf: escape.unicodeScalars)
        }
        return String(out)
    }

    /// Whether `scalar` must not reach a terminal raw.
    private static func needsEscape(_ scalar: Unicode.Scalar, keepingLineFeeds: Bool) -> Bool {
        switch scalar.value {
        case 0x0A: !keepingLineFeeds
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
