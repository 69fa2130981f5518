/// A calendar date without a time or zone (a birth date, a custom date field), proleptic
/// Gregorian, from 0001-01-01 to 9999-12-31 so that it always has a four-digit ISO form.
public struct CalendarDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The first date that can be held, 0001-01-01.
    public static let earliest = CalendarDate(unchecked: Timestamp.daysSinceEpoch(year: 1, month: 1, day: 1))
    /// The last date that can be held, 9999-12-31.
    public static let latest = CalendarDate(unchecked: Timestamp.daysSinceEpoch(year: 9999, month: 12, day: 31))

    /// Days since 1970-01-01 (negative before it): the stored form.
    public let daysSinceEpoch: Int64

    private init(unchecked days: Int64) {
        daysSinceEpoch = days
    }

    /// The date `days` after 1970-01-01; nil outside 0001-01-01...9999-12-31.
    public init?(daysSinceEpoch days: Int64) {
        guard days >= Self.earliest.daysSinceEpoch, days <= Self.latest.daysSinceEpoch else { return nil }
        daysSinceEpoch = days
    }

    /// The date with these parts; nil when there is no such day (2023-02-29, month 13).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              day >= 1, Int64(day) <= Timestamp.daysIn(month: Int64(month), year: Int64(year)) else { return nil }
        daysSinceEpoch = Timestamp.daysSinceEpoch(year: Int64(year), month: Int64(month), day: Int64(day))
    }

    /// Parses exactly `YYYY-MM-DD`; nil for anything else or a day that does not exist.
    public init?(iso8601 text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// The UTC date of a ledger timestamp (microseconds since 1970), e.g. "today" for rules.
    public init(utcDayOf microseconds: Int64) {
        let days = microseconds >= 0 ? microseconds / 86_400_000_000 : (microseconds + 1) / 86_400_000_000 - 1
        daysSinceEpoch = min(max(days, Self.earliest.daysSinceEpoch), Self.latest.daysSinceEpoch)
    }

    /// The year, 1...9999.
    public var year: Int { Int(Timestamp.civilDate(daysSinceEpoch: daysSinceEpoch).year) }
    /// The month, 1...12.
    public var month: Int { Int(Timestamp.civilDate(daysSinceEpoch: daysSinceEpoch).month) }
    /// The day of the month, 1...31.
    public var day: Int { Int(Timestamp.civilDate(daysSinceEpoch: daysSinceEpoch).day) }

    /// `YYYY-MM-DD`.
    public var iso8601: String {
        let (year, month, day) = Timestamp.civilDate(daysSinceEpoch: daysSinceEpoch)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    public var description: String { iso8601 }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        lhs.daysSinceEpoch < rhs.daysSinceEpoch
    }
}
