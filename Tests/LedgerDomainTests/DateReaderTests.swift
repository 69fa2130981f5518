@testable import LedgerDomain
import Testing

@Suite("Reading dates from cells")
struct DateReaderTests {
    @Test("each accepted form", arguments: [
        ("2024-02-29", true, "2024-02-29"), ("2024-02-29T10:00:00Z", true, "2024-02-29"), ("2024-02-29 10:00", true, "2024-02-29"),
        ("28.12.1984", false, "1984-12-28"), ("1.2.2020", true, "2020-02-01"), ("03/04/2020", true, "2020-04-03"),
        ("03/04/2020", false, "2020-03-04"), ("03-04-2020", true, "2020-04-03"), ("+3.04.2020", true, "2020-04-03"),
        ("0003.004.2020", true, "2020-04-03"), ("45000", true, "2023-03-15"), ("1", true, "1900-01-01"),
    ])
    func accepted(text: String, dayFirst: Bool, expected: String) {
        #expect(DateReader.date(text, dayFirst: dayFirst)?.iso8601 == expected)
    }

    @Test("what is refused", arguments: [
        "", "2024-02-30", "2024-02-29x", "31.02.2020", "1.2.20", "1.2.2020.", "..2020", "-1.2.2020", "1.2.-202",
        "0", "2958466", "99999999999999999999999", "1.99999999999999999999.2020", "12/13/2020 ", " 1.2.2020", "+", "1.+.2020",
    ])
    func refused(text: String) {
        #expect(DateReader.date(text, dayFirst: false) == nil)
        #expect(DateReader.date(text, dayFirst: true) == nil)
    }

    @Test("the byte path answers as the Character rules do, for table and random text")
    func sameAsCharacterRules() {
        var texts = [
            "2020-01-01", "2020-01-01T", "2020-01-01 ", "2020-01-01x", "2020-1-01", "2020-01-1", "2020-01-01\r\n", "2020-01-01\u{301}",
            "2020-01-0\u{301}1", "1.2.2020\r\n", "1.2.2020", "01/02/2020", "1-2-2020", "-1-2-2020", "1--2020", "1.2.+202", "1.2.-202",
            "-9223372036854775808.1.2020", "1.-9223372036854775808.2020", "9223372036854775808.1.2020", "45000", "045000", "+45000",
            "٣.٤.٢٠٢٠", "1.2.２０２０", "Ⅻ", "1.2.2020\u{301}", "",
        ]
        var generator = SeededGenerator(seed: 0x5EED)
        let alphabet = Array("0123456789012345678901234.../-+T :x\r\n")
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...14, using: &generator)
            texts.append(String((0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }))
        }
        // Shapes close to real dates, with one byte changed.
        let shapes = Array("0123456789.-/+T ")
        for base in ["2021-06-30", "30.06.2021", "06/30/2021", "44377", "2021-06-30T12"] {
            for index in base.indices {
                for replacement in shapes {
                    var text = base
                    text.replaceSubrange(index...index, with: [replacement])
                    texts.append(text)
                }
            }
        }
        for text in texts {
            for dayFirst in [false, true] {
                #expect(DateReader.date(text, dayFirst: dayFirst) == DateReader.characterDate(text, dayFirst: dayFirst), "\(text.debugDescription) dayFirst \(dayFirst)")
            }
        }
    }
}

