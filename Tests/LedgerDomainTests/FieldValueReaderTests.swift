import LedgerDomain
import Testing

/// One reader of text as field values, for every door.
@Suite("Reading field values from text")
struct FieldValueReaderTests {
    @Test("each type reads the forms contact bases hold", arguments: [
        ("так", FieldType.bool, FieldValue.bool(true)), ("ДА", .bool, .bool(true)), ("ні", .bool, .bool(false)),
        ("нет", .bool, .bool(false)), ("Yes", .bool, .bool(true)), ("0", .bool, .bool(false)),
        ("1,5", .number, .number(ContactEventSamples.number("1.5"))), ("-12.50", .number, .number(ContactEventSamples.number("-12.5"))),
        ("12.03.1988", .date, .date(CalendarDate(year: 1988, month: 3, day: 12) ?? .earliest)),
        ("1988-03-12", .date, .date(CalendarDate(year: 1988, month: 3, day: 12) ?? .earliest)),
        ("45000", .date, .date(CalendarDate(year: 2023, month: 3, day: 15) ?? .earliest)),
        ("Київ", .text, .text("Київ")),
    ])
    func reads(text: String, type: FieldType, expected: FieldValue) throws {
        #expect(try FieldValueReader.read(text, as: type) == expected)
    }

    @Test("text that is not a value of the type says what was expected", arguments: [
        ("maybe", FieldType.bool), ("1,234.5", .number), ("1,2,3", .number), ("high", .number), ("31.04.1990", .date), ("60", .date),
    ])
    func refuses(text: String, type: FieldType) {
        let failure = #expect(throws: FieldValueReader.Failure.self) { try FieldValueReader.read(text, as: type) }
        #expect(failure?.type == type)
        #expect(failure?.description.hasPrefix("is not ") == true)
    }

    @Test("empty text is no value")
    func empty() throws {
        for type in FieldType.allCases { #expect(try FieldValueReader.read("", as: type) == nil) }
    }

    @Test("a first value of an undeclared field reads as its likely type; codes with a leading zero stay text")
    func infer() {
        #expect(FieldValueReader.infer("true") == .bool(true))
        #expect(FieldValueReader.infer("2026-03-01") == .date(CalendarDate(year: 2026, month: 3, day: 1) ?? .earliest))
        #expect(FieldValueReader.infer("42.5") == .number(ContactEventSamples.number("42.5")))
        #expect(FieldValueReader.infer("0671234567") == .text("0671234567"))
        #expect(FieldValueReader.infer("gold") == .text("gold"))
    }
}
