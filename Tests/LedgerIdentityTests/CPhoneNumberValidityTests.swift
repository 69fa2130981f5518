import CPhoneNumber
import Testing

/// The fast paths' own validity check (ValidityCheck.cpp) must answer exactly what the
/// library's `IsValidNumber()` answers, for every calling code it answers for.
@Suite("CPhoneNumber validity check")
struct CPhoneNumberValidityTests {
    /// Answers of both for one number; nil when the check leaves the number to the library.
    static func compare(_ countryCode: Int32, _ number: UInt64) -> (own: Bool, library: Bool)? {
        let own = clpn_check_validity(countryCode, number)
        guard own != CLPN_VALIDITY_ASK_LIBRARY else { return nil }
        return (own == CLPN_VALIDITY_VALID, clpn_library_is_valid(countryCode, number))
    }

    /// Numbers near each of the library's example numbers (last 1 to 4 digits redrawn, one
    /// digit more or fewer, any digits of the same length), for every calling code: both
    /// valid and invalid numbers of every number type the region has.
    @Test func agreesWithTheLibraryNearEveryExampleNumber() {
        var digits = CPhoneNumberFastPathTests.Digits(state: 7)
        var compared = 0
        var valid = 0
        var codesAnswered = Set<Int32>()
        for code in Int32(1)...999 {
            for type in Int32(0)...10 {
                var example: UInt64 = 0
                guard clpn_example_national_number(code, type, &example) else { continue }
                let text = String(example)
                var numbers = [example, example / 10, example * 10 + digits.next(below: 10)]
                for _ in 0..<24 {
                    let redrawn = 1 + Int(digits.next(below: UInt64(min(4, text.count - 1))))
                    numbers.append(UInt64(text.dropLast(redrawn) + digits.string(count: redrawn, firstNonZero: false)) ?? example)
                }
                for _ in 0..<4 {
                    numbers.append(UInt64(digits.string(count: text.count, firstNonZero: true)) ?? example)
                }
                for number in numbers where number >= 10 {
                    guard let answers = Self.compare(code, number) else { continue }
                    #expect(answers.own == answers.library, "+\(code) \(number)")
                    compared += 1
                    if answers.library { valid += 1 }
                    codesAnswered.insert(code)
                }
            }
        }
        // The comparison means something only if it covered many regions and both answers.
        #expect(codesAnswered.count > 150)
        #expect(valid > 10_000)
        #expect(compared - valid > 5_000)
    }

    /// Many numbers of the one region an import mostly sees, so that every description of
    /// its metadata is reached.
    @Test func agreesWithTheLibraryOnUkrainianNumbers() {
        var digits = CPhoneNumberFastPathTests.Digits(state: 8)
        var valid = 0
        for round in 0..<20_000 {
            let count = round % 4 == 0 ? 7 + Int(digits.next(below: 5)) : 9
            guard let number = UInt64(digits.string(count: count, firstNonZero: true)),
                  let answers = Self.compare(380, number) else {
                Issue.record("+380 is not answered by the check")
                return
            }
            #expect(answers.own == answers.library, "+380 \(number)")
            if answers.library { valid += 1 }
        }
        #expect(valid > 2_000)
    }

    /// Only calling codes of one region are answered by the check: for a shared code the
    /// library picks the region from the number itself.
    @Test func leavesSharedAndNonGeographicCodesToTheLibrary() {
        for code: Int32 in [380, 48, 49, 33, 86, 375, 972] {
            var example: UInt64 = 0
            #expect(clpn_example_national_number(code, 1, &example), "+\(code)")
            #expect(clpn_check_validity(code, example) == CLPN_VALIDITY_VALID, "+\(code) \(example)")
        }
        // NANPA, Russia and Kazakhstan, the UK and its Crown dependencies, Italy and the
        // Vatican; 800 is non-geographic; 999 is no calling code.
        for code: Int32 in [1, 7, 44, 39, 800, 999, 0, -1, 1000] {
            #expect(clpn_check_validity(code, 2_015_550_123) == CLPN_VALIDITY_ASK_LIBRARY, "+\(code)")
        }
    }
}
