import LedgerDomain

/// Renders spreadsheet date serials as ISO 8601 text: `YYYY-MM-DD`, `HH:MM:SS`, or
/// `YYYY-MM-DDTHH:MM:SS` when a date-time has a time of day.
enum SpreadsheetDate {
    /// The first serial past 9999-12-31, which no spreadsheet shows as a date.
    static let serialLimit = 2_958_466

    /// Renders `serial` as a value of `kind`; nil for serials no spreadsheet displays as a date
    /// (negative, not finite, or past year 9999), which the caller shows as a number instead.
    static func render(serial: Double, kind: CellNumberKind, uses1904Dates: Bool) -> String? {
        guard serial.isFinite, serial >= 0, serial < Double(serialLimit) else { return nil }
        var day = Int(serial.rounded(.down))
        var seconds = Int(((serial - Double(day)) * 86_400).rounded())
        if seconds == 86_400 {
            day += 1
            seconds = 0
        }
        let time = clock(seconds)
        switch kind {
        case .number: return nil
        case .time: return time
        case .date: return date(day: day, uses1904Dates: uses1904Dates)
        case .dateTime:
            let date = date(day: day, uses1904Dates: uses1904Dates)
            return seconds == 0 ? date : date + "T" + time
        }
    }

    /// The calendar date of day `day`.
    ///
    /// 1900 system: day 1 is 1900-01-01, and Excel keeps Lotus 1-2-3's mistake of a 29 February 1900
    /// (day 60), so from day 61 on the serial is one more than the true count. Day 0 displays as
    /// 1900-01-00. 1904 system: day 0 is 1904-01-01, no quirks.
    static func date(day: Int, uses1904Dates: Bool) -> String {
        if uses1904Dates {
            return civil(daysSinceEpoch: day + daysFromUnixEpochTo1904)
        }
        switch day {
        case 0: return "1900-01-00"
        case 60: return "1900-02-29"
        case ..<60: return civil(daysSinceEpoch: day - 1 + daysFromUnixEpochTo1900)
        default: return civil(daysSinceEpoch: day - 2 + daysFromUnixEpochTo1900)
        }
    }

    /// 1900-01-01 and 1904-01-01 as days after 1970-01-01.
    private static let daysFromUnixEpochTo1900 = -25_567
    private static let daysFromUnixEpochTo1904 = -24_107

    private static func clock(_ seconds: Int) -> String {
        twoDigits(seconds / 3600) + ":" + twoDigits(seconds / 60 % 60) + ":" + twoDigits(seconds % 60)
    }

    /// Proleptic Gregorian date of a day count from 1970-01-01.
    static func civil(daysSinceEpoch: Int) -> String {
        let (year, month, day) = Timestamp.civilDate(daysSinceEpoch: Int64(daysSinceEpoch))
        return fourDigits(Int(year)) + "-" + twoDigits(Int(month)) + "-" + twoDigits(Int(day))
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }

    private static func fourDigits(_ value: Int) -> String {
        let text = "\(value)"
        return String(repeating: "0", count: max(0, 4 - text.count)) + text
    }
}
