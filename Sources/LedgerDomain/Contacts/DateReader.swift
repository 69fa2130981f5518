/// Reading the dates real contact bases hold: the one date reader of the CLI, the importer and
/// the API (through `FieldValueReader`).
public enum DateReader {
    /// ISO 8601 (a time part is ignored), `d.m.Y`, `d/m/Y` or `m/d/Y` (by `dayFirst`), or an
    /// Excel serial date (1900 system).
    ///
    /// Cells are nearly always ASCII, and there every character is one byte (but for CR LF), so
    /// they are read from their bytes: splitting the String and reading each part with `Int`
    /// was most of a date column's cost. Any other text takes `characterDate`, the rules as
    /// written for Characters; `DateReaderTests` holds the two to the same answers.
    public static func date(_ text: String, dayFirst: Bool) -> CalendarDate? {
        let read = text.utf8.withContiguousStorageIfAvailable { bytes -> (ascii: Bool, date: CalendarDate?) in
            guard bytes.allSatisfy({ $0 < 0x80 && $0 != UInt8(ascii: "\r") }) else { return (false, nil) }
            return (true, byteDate(bytes, dayFirst: dayFirst))
        }
        if let read, read.ascii { return read.date }
        return characterDate(text, dayFirst: dayFirst)
    }

    /// The same rules over ASCII bytes without CR, where bytes and Characters are one to one.
    private static func byteDate(_ bytes: UnsafeBufferPointer<UInt8>, dayFirst: Bool) -> CalendarDate? {
        if bytes.count >= 10, let date = iso8601(bytes),
           bytes.count == 10 || bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " ") {
            return date
        }
        for separator in [UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: "-")] {
            // Three parts: exactly two separators.
            guard let first = bytes.firstIndex(of: separator),
                  let second = bytes[(first + 1)...].firstIndex(of: separator),
                  !bytes[(second + 1)...].contains(separator),
                  bytes.count - (second + 1) == 4,
                  let one = integer(bytes[..<first]), let two = integer(bytes[(first + 1)..<second]),
                  let year = integer(bytes[(second + 1)...])
            else { continue }
            let dayFirstHere = separator == UInt8(ascii: ".") ? true : dayFirst
            return dayFirstHere ? CalendarDate(year: year, month: two, day: one) : CalendarDate(year: year, month: one, day: two)
        }
        if bytes.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }), let serial = integer(bytes[...]), (1...2_958_465).contains(serial) {
            return excelSerial(serial)
        }
        return nil
    }

    /// `YYYY-MM-DD` in the first 10 bytes, as `CalendarDate(iso8601:)` reads it.
    private static func iso8601(_ bytes: UnsafeBufferPointer<UInt8>) -> CalendarDate? {
        guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let year = digits(bytes[0..<4]), let month = digits(bytes[5..<7]), let day = digits(bytes[8..<10])
        else { return nil }
        return CalendarDate(year: year, month: month, day: day)
    }

    /// Unsigned ASCII digits only (at most 4 here, so no overflow).
    private static func digits(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Int? {
        var value = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// What `Int(_:)` reads from the same text: an optional `+` or `-`, then one or more
    /// digits, nil when anything else is there or the value overflows.
    private static func integer(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Int? {
        var index = bytes.startIndex
        var negative = false
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        guard index < bytes.endIndex else { return nil }
        // Accumulated with the sign, so Int.min reads as Int does.
        var value = 0
        while index < bytes.endIndex {
            let byte = bytes[index]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let digit = Int(byte - UInt8(ascii: "0"))
            let (scaled, overflowScaling) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowAdding) = negative ? scaled.subtractingReportingOverflow(digit) : scaled.addingReportingOverflow(digit)
            guard !overflowScaling, !overflowAdding else { return nil }
            value = next
            index += 1
        }
        return value
    }

    /// The rules over Characters, for text that is not plain ASCII (and the yardstick of the
    /// byte path's tests).
    static func characterDate(_ text: String, dayFirst: Bool) -> CalendarDate? {
        if let date = CalendarDate(iso8601: String(text.prefix(10))), text.count == 10 || text.dropFirst(10).first == "T" || text.dropFirst(10).first == " " {
            return date
        }
        for separator: Character in [".", "/", "-"] {
            let parts = text.split(separator: separator, omittingEmptySubsequences: false)
            guard parts.count == 3, parts[2].count == 4, let first = Int(parts[0]), let second = Int(parts[1]), let year = Int(parts[2]) else { continue }
            let dayFirstHere = separator == "." ? true : dayFirst
            return dayFirstHere ? CalendarDate(year: year, month: second, day: first) : CalendarDate(year: year, month: first, day: second)
        }
        if text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber), let serial = Int(text), (1...2_958_465).contains(serial) {
            return excelSerial(serial)
        }
        return nil
    }

    /// Day `serial` of Excel's 1900 date system: day 1 is 1900-01-01, and from day 61 on the
    /// serial is one more than the true count (Excel keeps Lotus 1-2-3's 29 February 1900, day
    /// 60, which is no date, nor is day 0).
    static func excelSerial(_ serial: Int) -> CalendarDate? {
        let daysFromUnixEpochTo1900: Int64 = -25_567
        switch serial {
        case ...0, 60: return nil
        case ..<60: return CalendarDate(daysSinceEpoch: Int64(serial) - 1 + daysFromUnixEpochTo1900)
        default: return CalendarDate(daysSinceEpoch: Int64(serial) - 2 + daysFromUnixEpochTo1900)
        }
    }
}
