import CPhoneNumber
import Testing

/// The C shim's fast paths must give exactly what libphonenumber's general
/// parse gives (`clpn_normalize_reference`), status, text and calling code.
/// A libphonenumber upgrade that breaks an assumption of theirs fails here.
@Suite("CPhoneNumber fast paths")
struct CPhoneNumberFastPathTests {
    /// What one shim call answered.
    struct Answer: Equatable, CustomStringConvertible {
        let status: UInt32
        let text: String
        let countryCode: Int32
        var description: String { "\(status) \(text) +\(countryCode)" }
    }

    typealias Normalize = (
        UnsafePointer<CChar>?, Int, UnsafePointer<CChar>?, Int,
        UnsafeMutablePointer<CChar>?, Int, UnsafeMutablePointer<Int>?, UnsafeMutablePointer<Int32>?
    ) -> clpn_status

    static func call(_ normalize: Normalize, _ input: String, region: String) -> Answer {
        var out = [CChar](repeating: 0, count: Int(CLPN_E164_CAPACITY))
        var length = 0
        var countryCode: Int32 = 0
        let status = input.withCString { inputPointer in
            region.withCString { regionPointer in
                normalize(
                    inputPointer, input.utf8.count, regionPointer, region.utf8.count,
                    &out, out.count, &length, &countryCode
                )
            }
        }
        let text = String(decoding: out.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return Answer(status: status.rawValue, text: text, countryCode: countryCode)
    }

    /// A small deterministic generator, so a failure names a reproducible input.
    struct Digits {
        var state: UInt64
        mutating func next(below bound: UInt64) -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (state >> 33) % bound
        }
        mutating func string(count: Int, firstNonZero: Bool) -> String {
            var text = ""
            for index in 0..<count {
                let digit = index == 0 && firstNonZero ? 1 + next(below: 9) : next(below: 10)
                text.append(Character(Unicode.Scalar(UInt8(48 + digit))))
            }
            return text
        }
    }

    /// Mobile and landline codes in use in Ukraine, so that many samples are valid.
    static let ukrainianCodes = ["50", "63", "66", "67", "68", "73", "91", "93", "95", "96", "97", "98", "99", "44", "32", "48", "56", "57", "62"]

    @Test func nationalFastPathMatchesReferenceForUkraine() {
        var digits = Digits(state: 1)
        var valid = 0
        for round in 0..<4000 {
            let input: String
            if round % 2 == 0 {
                let code = Self.ukrainianCodes[Int(digits.next(below: UInt64(Self.ukrainianCodes.count)))]
                input = "0" + code + digits.string(count: 7, firstNonZero: false)
            } else {
                input = "0" + digits.string(count: 6 + Int(digits.next(below: 7)), firstNonZero: true)
            }
            let fast = Self.call(clpn_normalize, input, region: "UA")
            let reference = Self.call(clpn_normalize_reference, input, region: "UA")
            #expect(fast == reference, "\(input)")
            if fast.status == CLPN_OK.rawValue { valid += 1 }
        }
        // The comparison only means something if the fast path was taken often.
        #expect(valid > 1500)
    }

    @Test func internationalFastPathMatchesReference() {
        let prefixes = ["+38067", "+38044", "+4851", "+4915", "+4930", "+1201", "+447911", "+4420", "+7912", "+7701", "+37529", "+3906", "+33", "+972", "+86"]
        var digits = Digits(state: 2)
        var valid = 0
        for _ in 0..<4000 {
            let prefix = prefixes[Int(digits.next(below: UInt64(prefixes.count)))]
            let input = prefix + digits.string(count: 5 + Int(digits.next(below: 6)), firstNonZero: false)
            let fast = Self.call(clpn_normalize, input, region: "UA")
            let reference = Self.call(clpn_normalize_reference, input, region: "")
            #expect(fast == reference, "\(input)")
            if fast.status == CLPN_OK.rawValue { valid += 1 }
        }
        #expect(valid > 800)
    }

    /// The shim asks the library once which calling codes exist: for every 1- to 3-digit
    /// code, the fast path must read the code exactly as the general parse does.
    @Test func everyCallingCodeIsReadAsTheLibraryReadsIt() {
        var digits = Digits(state: 3)
        var valid = 0
        for code in 1...999 {
            for _ in 0..<3 {
                let input = "+\(code)" + digits.string(count: 6 + Int(digits.next(below: 6)), firstNonZero: true)
                let fast = Self.call(clpn_normalize, input, region: "")
                let reference = Self.call(clpn_normalize_reference, input, region: "")
                #expect(fast.countryCode == reference.countryCode, "\(input)")
                // Mexico ("+52 1..."): Parse() drops the old mobile 1 after the code, so +52
                // is not on the fast path's list and must read as Parse() reads it.
                #expect(fast == reference, "\(input)")
                if fast.status == CLPN_OK.rawValue { valid += 1 }
            }
        }
        #expect(valid > 100)
    }

    /// The divergence that put the international fast path on a list: "+52 1…" is read
    /// without Mexico's old mobile 1, as Parse() reads it.
    @Test func mexicanMobileOneIsReadAsTheLibraryReadsIt() {
        let input = "+5216131538627"
        let answer = Self.call(clpn_normalize, input, region: "")
        #expect(answer == Self.call(clpn_normalize_reference, input, region: ""))
        #expect(answer.text == "+526131538627")
    }

    /// The shim remembers the last region's calling code per thread: switching regions between
    /// calls must give each region's own code, and an unknown region must stay unknown.
    @Test func switchingRegionsGivesEachRegionsOwnCallingCode() {
        let numbers = ["UA": "0671234567", "DE": "015112345678", "PL": "512345678", "GB": "07911123456", "US": "2015550123"]
        let order = ["UA", "DE", "UA", "XX", "UA", "PL", "GB", "XX", "US", "UA", "DE", "GB"]
        for region in order {
            let code = clpn_country_code_for_region(region, region.utf8.count)
            guard let number = numbers[region] else {
                #expect(code == 0)
                #expect(Self.call(clpn_normalize, "0671234567", region: region).status == CLPN_UNKNOWN_REGION.rawValue)
                continue
            }
            let fast = Self.call(clpn_normalize, number, region: region)
            #expect(fast.status == CLPN_OK.rawValue, "\(region) \(number)")
            #expect(fast.countryCode == code, "\(region)")
            #expect(fast == Self.call(clpn_normalize_reference, number, region: region), "\(region) \(number)")
        }
    }

    @Test func refusesASmallBufferAndUnknownRegion() {
        var small = [CChar](repeating: 0, count: 8)
        var length = 0
        let status = clpn_normalize("+380671234567", 13, nil, 0, &small, small.count, &length, nil)
        #expect(status == CLPN_BUFFER_TOO_SMALL)
        #expect(Self.call(clpn_normalize, "0671234567", region: "XX").status == CLPN_UNKNOWN_REGION.rawValue)
        #expect(Self.call(clpn_normalize, "+380671234567", region: "XX").status == CLPN_UNKNOWN_REGION.rawValue)
        #expect(clpn_country_code_for_region("UA", 2) == 380)
        #expect(clpn_country_code_for_region("XX", 2) == 0)
        #expect(clpn_country_code_for_region(nil, 0) == 0)
    }

    @Test func nullInputIsAStatusNotACrash() {
        var out = [CChar](repeating: 0, count: Int(CLPN_E164_CAPACITY))
        #expect(clpn_normalize(nil, 5, nil, 0, &out, out.count, nil, nil) == CLPN_NOT_A_NUMBER)
        #expect(clpn_normalize(nil, 0, nil, 0, &out, out.count, nil, nil) == CLPN_NOT_A_NUMBER)
    }
}
