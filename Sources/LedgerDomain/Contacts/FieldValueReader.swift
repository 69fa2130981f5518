/// Turns text into field values: the one reader the CLI, the importer and the API use, so a
/// value means the same whichever door it came through.
///
/// - text: as written;
/// - number: a canonical decimal, with a decimal comma accepted (`1,5` is 1.5) when the text
///   has one comma and no point;
/// - date: what `DateReader` reads (ISO 8601, `d.m.Y`, `d/m/Y` or `m/d/Y` by `dayFirst`, an
///   Excel serial date);
/// - bool: `true`/`false`, `yes`/`no`, `1`/`0`, Ukrainian `так`/`ні`, Russian `да`/`нет`,
///   any case.
///
/// Empty text is no value (nil). Callers trim and decide what an empty value means.
public enum FieldValueReader {
    /// Words read as true.
    public static let trueWords: Set<String> = ["true", "yes", "1", "так", "да"]
    /// Words read as false.
    public static let falseWords: Set<String> = ["false", "no", "0", "ні", "нет"]

    /// Why text is not a value of the type: what it should have been, for a message that the
    /// caller prefixes with the field or column (the text itself is the caller's to quote).
    public struct Failure: Error, Hashable, Sendable, CustomStringConvertible {
        /// The type the text was read as.
        public let type: FieldType
        /// What is expected, e.g. `a number` or `true or false`.
        public let expected: String

        public var description: String { "is not \(expected)" }
    }

    /// `text` as a value of `type`; nil for empty text.
    public static func read(_ text: String, as type: FieldType, dayFirst: Bool = true) throws(Failure) -> FieldValue? {
        guard !text.isEmpty else { return nil }
        switch type {
        case .text:
            return .text(text)
        case .number:
            guard let number = number(text) else { throw Failure(type: type, expected: "a number") }
            return .number(number)
        case .date:
            guard let date = DateReader.date(text, dayFirst: dayFirst) else {
                throw Failure(type: type, expected: "a date (YYYY-MM-DD, DD.MM.YYYY, \(dayFirst ? "DD/MM/YYYY" : "MM/DD/YYYY") or an Excel serial date)")
            }
            return .date(date)
        case .bool:
            let word = text.lowercased()
            if trueWords.contains(word) { return .bool(true) }
            if falseWords.contains(word) { return .bool(false) }
            throw Failure(type: type, expected: "true or false (also yes/no, 1/0, так/ні, да/нет)")
        }
    }

    /// A number, with a decimal comma read as a point when it is the only separator.
    static func number(_ text: String) -> DecimalNumber? {
        if let number = DecimalNumber(text) { return number }
        let commas = text.utf8.count { $0 == UInt8(ascii: ",") }
        guard commas == 1, !text.utf8.contains(UInt8(ascii: ".")) else { return nil }
        return DecimalNumber(text.replacing(",", with: "."))
    }

    /// The value `text` reads as for a field declared on first use (the CLI's and the API's
    /// `--field name=value` for an undeclared field): a bool for `true`/`false`, a date for
    /// ISO 8601, a number for a plain number without a leading zero (a code or a phone stays
    /// text), text otherwise.
    public static func infer(_ text: String) -> FieldValue {
        if text == "true" || text == "false" { return .bool(text == "true") }
        if let date = CalendarDate(iso8601: text) { return .date(date) }
        if !(text.count > 1 && text.hasPrefix("0") && !text.hasPrefix("0.")), let number = DecimalNumber(text) { return .number(number) }
        return .text(text)
    }
}
