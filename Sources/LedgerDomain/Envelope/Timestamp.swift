/// Microsecond timestamps (the ledger's clock) written as ISO 8601 in UTC, and read back.
public enum Timestamp {
    /// `2026-11-29T04:13:12.123456Z` for microseconds since 1970-01-01 UTC.
    public static func iso8601(microseconds: Int64) -> String {
        let seconds = microseconds >= 0 ? microseconds / 1_000_000 : (microseconds - 999_999) / 1_000_000
        let fraction = microseconds - seconds * 1_000_000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(fraction, 6))Z"
    }

    /// The largest UTC offset `parse(_:)` accepts, in minutes: 14 hours, as no time zone has
    /// ever been further from UTC (Kiribati is +14:00, Baker Island −12:00).
    public static let maxOffsetMinutes: Int64 = 14 * 60

    /// Parses `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.ffffff]]` with `Z` or `±HH:MM`; a date alone
    /// means its midnight UTC. Returns microseconds since 1970, or nil when it is not such text
    /// (an offset's minutes must be under 60 and the offset at most ±14:00).
    public static func parse(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ digits: Int) -> Int64? {
            guard index + digits <= bytes.count else { return nil }
            var value: Int64 = 0
            for _ in 0..<digits {
                let byte = bytes[index]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
                index += 1
            }
            return value
        }
        func expect(_ character: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == character else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect(45), let month = number(2), expect(45), let day = number(2),
              (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day) else { return nil }
        var micros = (daysSinceEpoch(year: year, month: month, day: day)) * 86_400 * 1_000_000
        guard index < bytes.count else { return micros }
        guard expect(84) || expect(116) || expect(32), let hour = number(2), expect(58), let minute = number(2),
              hour < 24, minute < 60 else { return nil }
        var second: Int64 = 0
        var fraction: Int64 = 0
        if expect(58) {
            guard let parsed = number(2), parsed < 60 else { return nil }
            second = parsed
            if expect(46) {
                var scale: Int64 = 100_000
                var digits = 0
                while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                    fraction += Int64(bytes[index] - 48) * scale
                    scale /= 10
                    index += 1
                    digits += 1
                }
                guard digits > 0 else { return nil }
            }
        }
        micros += ((hour * 60 + minute) * 60 + second) * 1_000_000 + fraction
        if expect(90) || expect(122) { return index == bytes.count ? micros : nil }
        guard index < bytes.count else { return micros }
        let sign: Int64 = expect(43) ? 1 : (expect(45) ? -1 : 0)
        guard sign != 0, let offsetHours = number(2) else { return nil }
        _ = expect(58)
        guard let offsetMinutes = number(2), index == bytes.count, offsetMinutes < 60,
              offsetHours * 60 + offsetMinutes <= maxOffsetMinutes else { return nil }
        return micros - sign * (offsetHours * 60 + offsetMinutes) * 60 * 1_000_000
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    public static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date of a day count since 1970-01-01.
    public static func civilDate(daysSinceEpoch days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// The number of days in a month.
    public static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
