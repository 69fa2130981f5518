import LedgerDomain
import Testing

@Suite("Calendar dates")
struct CalendarDateTests {
    @Test("days since 1970 and year-month-day agree across the whole range")
    func dayCounts() throws {
        #expect(CalendarDate(year: 1970, month: 1, day: 1)?.daysSinceEpoch == 0)
        #expect(CalendarDate(year: 1969, month: 12, day: 31)?.daysSinceEpoch == -1)
        #expect(CalendarDate.earliest.iso8601 == "0001-01-01")
        #expect(CalendarDate.latest.iso8601 == "9999-12-31")
        #expect(CalendarDate(daysSinceEpoch: CalendarDate.earliest.daysSinceEpoch - 1) == nil)
        #expect(CalendarDate(daysSinceEpoch: CalendarDate.latest.daysSinceEpoch + 1) == nil)
        for days in stride(from: CalendarDate.earliest.daysSinceEpoch, through: CalendarDate.latest.daysSinceEpoch, by: 997) {
            let date = try #require(CalendarDate(daysSinceEpoch: days))
            #expect(CalendarDate(year: date.year, month: date.month, day: date.day) == date)
            #expect(CalendarDate(iso8601: date.iso8601) == date)
        }
    }

    @Test("only YYYY-MM-DD of a real day parses", arguments: [
        ("2024-02-29", true), ("1961-03-09", true), ("0001-01-01", true), ("2023-02-29", false), ("2024-2-9", false),
        ("24-02-09", false), ("2024-02-09T00:00", false), ("2024/02/09", false), ("0000-01-01", false), ("", false),
    ])
    func parsing(text: String, valid: Bool) {
        #expect((CalendarDate(iso8601: text) != nil) == valid)
        if valid { #expect(CalendarDate(iso8601: text)?.iso8601 == text) }
    }

    @Test("the UTC day of a ledger timestamp")
    func dayOfTimestamp() {
        #expect(CalendarDate(utcDayOf: 0).iso8601 == "1970-01-01")
        #expect(CalendarDate(utcDayOf: -1).iso8601 == "1969-12-31")
        #expect(CalendarDate(utcDayOf: 86_400_000_000 - 1).iso8601 == "1970-01-01")
        #expect(CalendarDate(utcDayOf: 1_795_000_000_000_000).iso8601 == "2026-11-18")
        #expect(CalendarDate(utcDayOf: .min) == .earliest)
        #expect(CalendarDate(utcDayOf: .max) == .latest)
    }
}

@Suite("Decimal numbers")
struct DecimalNumberTests {
    @Test("text is canonicalised", arguments: [
        ("12.50", "12.5"), ("+0012.500", "12.5"), ("-0", "0"), ("-0.000", "0"), (".5", "0.5"), ("5.", "5"),
        ("-1250.05", "-1250.05"), ("0", "0"), ("000", "0"), ("100", "100"), ("-.10", "-0.1"),
    ])
    func canonical(text: String, canonical: String) throws {
        let number = try #require(DecimalNumber(text))
        #expect(number.canonical == canonical)
        #expect(DecimalNumber(canonical: canonical) == number)
    }

    @Test("anything but a plain decimal is refused", arguments: ["", ".", "-", "+", "1e3", "1,5", " 1", "1 ", "1.2.3", "--1", "0x10", "١٢"])
    func refused(text: String) {
        #expect(DecimalNumber(text) == nil)
    }

    @Test("stored text must already be canonical")
    func storedForm() {
        #expect(DecimalNumber(canonical: "12.50") == nil)
        #expect(DecimalNumber(canonical: "-0") == nil)
        #expect(DecimalNumber(canonical: "12.5") != nil)
    }

    @Test("the Double serves comparisons, the text stays exact")
    func doubles() throws {
        let number = try #require(DecimalNumber("0.1"))
        #expect(number.doubleValue == 0.1)
        let long = try #require(DecimalNumber("12345678901234567890.123456789"))
        #expect(long.canonical == "12345678901234567890.123456789")
        #expect(long.digitCount == 29)
        #expect(long.doubleValue > 1.2e19)
    }
}
