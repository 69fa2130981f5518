/// How one field of a CSV file meant for people (an export, an import's rejects file) is
/// written: quoted as RFC 4180 says, and defused when a spreadsheet would run it as a formula.
///
/// The defusing follows OWASP's advice on CSV injection: a field whose first character is
/// `=`, `+`, `-`, `@`, tab or carriage return gets a single quote (`'`) in front and is
/// enclosed in double quotes, so that Excel, LibreOffice and Google Sheets show it as text.
/// Spreadsheets may trim leading white space before they look at the first character, so the
/// check looks past it: `" =1+1"` and `"\n@SUM(A1)"` are defused as well.
///
/// A plain signed decimal number (`+380671234567`, `-12.5`) is the one exception: a
/// spreadsheet reads it as that number and nothing more, so it is written as it is, and phone
/// numbers in E.164 and negative amounts stay usable.
public enum CSVField {
    /// `text` as one CSV field: defused if it could start a formula, then quoted where needed.
    public static func encoded(_ text: String) -> String {
        if startsFormula(text) { return quoted("'" + text) }
        return needsQuotes(text) ? quoted(text) : text
    }

    /// The fields joined into one CSV record, each `encoded`, ending in CRLF.
    public static func record(_ fields: [String]) -> String {
        fields.map(encoded).joined(separator: ",") + "\r\n"
    }

    /// Whether a spreadsheet could take `text` for a formula (see the type's comment).
    public static func startsFormula(_ text: String) -> Bool {
        let scalars = text.unicodeScalars
        guard let first = scalars.first else { return false }
        if first == "\t" || first == "\r" { return true }
        guard let lead = scalars.first(where: { !$0.isWhiteSpaceProperty }) else { return false }
        guard lead == "=" || lead == "+" || lead == "-" || lead == "@" else { return false }
        return !(lead == first && isPlainNumber(text))
    }

    /// Whether `text` is an optional sign, digits, and optionally a point and more digits.
    static func isPlainNumber(_ text: String) -> Bool {
        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        var rest = Substring(text).utf8[...]
        if let sign = rest.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { rest = rest.dropFirst() }
        let whole = rest.prefix(while: isDigit)
        guard !whole.isEmpty else { return false }
        rest = rest.dropFirst(whole.count)
        guard let point = rest.first else { return true }
        guard point == UInt8(ascii: "."), rest.count > 1 else { return false }
        return rest.dropFirst().allSatisfy(isDigit)
    }

    /// Whether RFC 4180 requires `text` to be enclosed in double quotes.
    static func needsQuotes(_ text: String) -> Bool {
        // Bytes, not Characters: "\r\n" is one Character, and the check must see both.
        text.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0D || $0 == 0x0A }
    }

    /// `text` enclosed in double quotes, inner double quotes doubled.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            if scalar == "\"" { out += "\"\"" } else { out.unicodeScalars.append(scalar) }
        }
        return out + "\""
    }
}
