import LedgerDomain
import Testing

@Suite("Timestamps")
struct TimestampTests {
    @Test("microseconds print as ISO 8601 UTC")
    func format() {
        #expect(Timestamp.iso8601(microseconds: 0) == "1970-01-01T00:00:00.000000Z")
        #expect(Timestamp.iso8601(microseconds: 1_780_000_000_123_456) == "2026-05-28T20:26:40.123456Z")
        #expect(Timestamp.iso8601(microseconds: -1) == "1969-12-31T23:59:59.999999Z")
        #expect(Timestamp.iso8601(microseconds: 951_782_400_000_000) == "2000-02-29T00:00:00.000000Z")
    }

    @Test("ISO 8601 text parses, with offsets, fractions or a date alone")
    func parse() {
        #expect(Timestamp.parse("2026-05-28T20:26:40.123456Z") == 1_780_000_000_123_456)
        #expect(Timestamp.parse("1970-01-01") == 0)
        #expect(Timestamp.parse("1970-01-01T02:00:00+02:00") == 0)
        #expect(Timestamp.parse("1970-01-01T00:00Z") == 0)
        #expect(Timestamp.parse("2026-02-30") == nil)
        #expect(Timestamp.parse("2026-13-01") == nil)
        #expect(Timestamp.parse("yesterday") == nil)
        #expect(Timestamp.parse("2026-01-01T10:00:00Zjunk") == nil)
    }

    @Test("dates round-trip through day counts across eras", arguments: [Int64(-800_000), -1, 0, 1, 11_016, 20_000, 2_932_896])
    func civil(days: Int64) {
        let (year, month, day) = Timestamp.civilDate(daysSinceEpoch: days)
        #expect(Timestamp.daysSinceEpoch(year: year, month: month, day: day) == days)
    }
}

@Suite("Timestamp offsets")
struct TimestampOffsetTests {
    @Test("an offset beyond ±14:00, or with 60 minutes or more, is not a time", arguments: ["+25:00", "+14:01", "-15:00", "+05:60", "+99:99"])
    func impossibleOffsets(offset: String) {
        #expect(Timestamp.parse("2026-03-01T12:00:00" + offset) == nil)
    }

    @Test("real offsets still parse, to the same moment")
    func realOffsets() {
        let utc = Timestamp.parse("2026-03-01T12:00:00Z")
        #expect(Timestamp.parse("2026-03-02T02:00:00+14:00") == utc)
        #expect(Timestamp.parse("2026-03-01T00:00:00-12:00") == utc)
        #expect(Timestamp.parse("2026-03-01T17:30:00+0530") == utc)
    }
}
