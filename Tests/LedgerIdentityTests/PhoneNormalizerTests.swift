import LedgerIdentity
import Testing

/// One row of a normalisation table: written text and the E.164 it must become.
struct PhoneCase: CustomTestStringConvertible, Sendable {
    let text: String
    let e164: String
    var testDescription: String { "\(text) -> \(e164)" }
}

/// One row of a rejection table: written text and the error code it must give.
struct RejectedPhoneCase: CustomTestStringConvertible, Sendable {
    let text: String
    let code: PhoneNumberError.Code
    var testDescription: String { "\(text) -> \(code)" }
}

/// Normalises `text` for `region`, failing the test (not crashing) on a bad region.
func normalize(_ text: String, region: String) throws -> PhoneNumber {
    try PhoneNormalizer(defaultRegion: region).normalize(text)
}

/// Asserts that `text` is rejected for `region` with `code`.
func expectRejected(_ text: String, region: String, code: PhoneNumberError.Code) throws {
    let normalizer = try PhoneNormalizer(defaultRegion: region)
    let error = #expect(throws: PhoneNumberError.self) { try normalizer.normalize(text) }
    #expect(error?.code == code, "\(text) in \(region): \(String(describing: error))")
}

@Suite("PhoneNormalizer: Ukraine")
struct UkrainePhoneTests {
    @Test(arguments: [
        PhoneCase(text: "067 123 45 67", e164: "+380671234567"),
        PhoneCase(text: "0671234567", e164: "+380671234567"),
        PhoneCase(text: "(067) 123-45-67", e164: "+380671234567"),
        PhoneCase(text: "067.123.45.67", e164: "+380671234567"),
        PhoneCase(text: "044 123 45 67", e164: "+380441234567"),
        PhoneCase(text: "+380 67 123 4567", e164: "+380671234567"),
        PhoneCase(text: "+38 (067) 123-45-67", e164: "+380671234567"),
        PhoneCase(text: "+380671234567", e164: "+380671234567"),
        PhoneCase(text: "  +380671234567\n", e164: "+380671234567"),
        PhoneCase(text: "00380671234567", e164: "+380671234567"),
        PhoneCase(text: "00 380 67 123 45 67", e164: "+380671234567"),
        PhoneCase(text: "380671234567", e164: "+380671234567"),
        PhoneCase(text: "380 (67) 123-45-67", e164: "+380671234567"),
        PhoneCase(text: "067\u{00A0}123\u{00A0}45\u{00A0}67", e164: "+380671234567"),
        PhoneCase(text: "067\u{2013}123\u{2013}45\u{2013}67", e164: "+380671234567"),
        // The national 0 written after the calling code; libphonenumber drops it.
        PhoneCase(text: "+3800671234567", e164: "+380671234567"),
        // An international number wins over the default region.
        PhoneCase(text: "+48 512 345 678", e164: "+48512345678"),
        PhoneCase(text: "0048 512 345 678", e164: "+48512345678"),
    ])
    func accepts(_ row: PhoneCase) throws {
        #expect(try normalize(row.text, region: "UA").e164 == row.e164)
    }

    @Test(arguments: [
        RejectedPhoneCase(text: "", code: .empty),
        RejectedPhoneCase(text: "  \t ", code: .empty),
        RejectedPhoneCase(text: "--", code: .notANumber),
        RejectedPhoneCase(text: "1", code: .notANumber),
        RejectedPhoneCase(text: "+12", code: .notANumber),
        RejectedPhoneCase(text: "abc", code: .invalidCharacters),
        RejectedPhoneCase(text: "067 123 45 67 ext 5", code: .invalidCharacters),
        RejectedPhoneCase(text: "067 123 45 67, 050 123 45 67", code: .invalidCharacters),
        RejectedPhoneCase(text: "067+1234567", code: .invalidCharacters),
        RejectedPhoneCase(text: "12", code: .tooShort),
        RejectedPhoneCase(text: "067 123", code: .tooShort),
        RejectedPhoneCase(text: "06712345678901", code: .tooLong),
        RejectedPhoneCase(text: "+38067123456789", code: .tooLong),
        RejectedPhoneCase(text: "+380 67 123 45 67 89", code: .tooLong),
        RejectedPhoneCase(text: "0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0", code: .tooLong),
        RejectedPhoneCase(text: "+380 12 345 67 89", code: .notAValidNumber),
        RejectedPhoneCase(text: "+380123456789", code: .notAValidNumber),
        RejectedPhoneCase(text: "+999 123 45 67", code: .invalidCountryCode),
    ])
    func rejects(_ row: RejectedPhoneCase) throws {
        try expectRejected(row.text, region: "UA", code: row.code)
    }

    @Test func errorMessageSaysWhyAndQuotesTheInput() throws {
        let normalizer = try PhoneNormalizer(defaultRegion: "UA")
        let error = #expect(throws: PhoneNumberError.self) { try normalizer.normalize("067 123") }
        #expect(error?.message == "'067 123' is too short for a phone number in UA")
        #expect(error?.description == "too-short: '067 123' is too short for a phone number in UA")
        #expect(error?.libraryStatus != nil)
    }

    @Test func errorNamesTheForeignCountryCodeItReadTheNumberWith() throws {
        let normalizer = try PhoneNormalizer(defaultRegion: "UA")
        let error = #expect(throws: PhoneNumberError.self) { try normalizer.normalize("+44 7700 900123") }
        #expect(error?.code == .notAValidNumber)
        #expect(error?.message == "'+44 7700 900123' is not a valid phone number in country code +44")
    }

    @Test func cleanupErrorsAreNotLibraryErrors() throws {
        let normalizer = try PhoneNormalizer(defaultRegion: "UA")
        let error = #expect(throws: PhoneNumberError.self) { try normalizer.normalize("067 abc") }
        #expect(error?.libraryStatus == nil)
    }
}

@Suite("PhoneNormalizer: Poland")
struct PolandPhoneTests {
    @Test(arguments: [
        PhoneCase(text: "512 345 678", e164: "+48512345678"),
        PhoneCase(text: "512-345-678", e164: "+48512345678"),
        PhoneCase(text: "22 123 45 67", e164: "+48221234567"),
        PhoneCase(text: "+48 512 345 678", e164: "+48512345678"),
        PhoneCase(text: "0048 512 345 678", e164: "+48512345678"),
        PhoneCase(text: "48512345678", e164: "+48512345678"),
        // A Ukrainian number written without '+' in a Polish ledger.
        PhoneCase(text: "380671234567", e164: "+380671234567"),
    ])
    func accepts(_ row: PhoneCase) throws {
        #expect(try normalize(row.text, region: "PL").e164 == row.e164)
    }

    @Test(arguments: [
        RejectedPhoneCase(text: "512 345 67", code: .notAValidNumber),
        RejectedPhoneCase(text: "+48 112 345 678", code: .notAValidNumber),
        RejectedPhoneCase(text: "5123", code: .tooShort),
        RejectedPhoneCase(text: "512 345 678 901 234 5", code: .tooLong),
        // A Ukrainian national number is not a Polish one: wrong region.
        RejectedPhoneCase(text: "067 123 45 67", code: .notAValidNumber),
    ])
    func rejects(_ row: RejectedPhoneCase) throws {
        try expectRejected(row.text, region: "PL", code: row.code)
    }

    @Test func wrongRegionErrorNamesTheRegion() throws {
        let normalizer = try PhoneNormalizer(defaultRegion: "PL")
        let error = #expect(throws: PhoneNumberError.self) { try normalizer.normalize("067 123 45 67") }
        #expect(error?.message == "'067 123 45 67' is not a valid phone number in PL")
    }
}

@Suite("PhoneNormalizer: Germany")
struct GermanyPhoneTests {
    @Test(arguments: [
        PhoneCase(text: "030 123456", e164: "+4930123456"),
        PhoneCase(text: "0151 23456789", e164: "+4915123456789"),
        PhoneCase(text: "0151/23456789", e164: "+4915123456789"),
        PhoneCase(text: "+49 151 23456789", e164: "+4915123456789"),
        PhoneCase(text: "0049 30 123456", e164: "+4930123456"),
        PhoneCase(text: "49 30 123456", e164: "+4930123456"),
        // libphonenumber alone reads this as +49 4915123456789 (also "valid").
        PhoneCase(text: "4915123456789", e164: "+4915123456789"),
    ])
    func accepts(_ row: PhoneCase) throws {
        #expect(try normalize(row.text, region: "DE").e164 == row.e164)
    }

    @Test(arguments: [
        RejectedPhoneCase(text: "0151 234", code: .notAValidNumber),
        RejectedPhoneCase(text: "0151 2345678901234567", code: .tooLong),
        // "00" is the international prefix: this reads as Greece (+30) and is too short there.
        RejectedPhoneCase(text: "0030 123456", code: .tooShort),
        RejectedPhoneCase(text: "+49 1", code: .tooShort),
    ])
    func rejects(_ row: RejectedPhoneCase) throws {
        try expectRejected(row.text, region: "DE", code: row.code)
    }
}

@Suite("PhoneNormalizer: United States")
struct UnitedStatesPhoneTests {
    @Test(arguments: [
        PhoneCase(text: "(201) 555-0123", e164: "+12015550123"),
        PhoneCase(text: "201-555-0123", e164: "+12015550123"),
        PhoneCase(text: "201.555.0123", e164: "+12015550123"),
        PhoneCase(text: "1 (201) 555-0123", e164: "+12015550123"),
        PhoneCase(text: "12015550123", e164: "+12015550123"),
        PhoneCase(text: "+1 201 555 0123", e164: "+12015550123"),
        // The US international prefix is 011, not 00.
        PhoneCase(text: "011 44 20 7946 0958", e164: "+442079460958"),
        PhoneCase(text: "+380671234567", e164: "+380671234567"),
    ])
    func accepts(_ row: PhoneCase) throws {
        #expect(try normalize(row.text, region: "US").e164 == row.e164)
    }

    @Test(arguments: [
        RejectedPhoneCase(text: "(555) 555-0123", code: .notAValidNumber),
        RejectedPhoneCase(text: "201 555 012", code: .tooShort),
        RejectedPhoneCase(text: "+1 201 555 012", code: .tooShort),
        // "00" is no international prefix in the US, so this is a too long national number.
        RejectedPhoneCase(text: "0044 20 7946 0958", code: .tooLong),
    ])
    func rejects(_ row: RejectedPhoneCase) throws {
        try expectRejected(row.text, region: "US", code: row.code)
    }
}

@Suite("PhoneNormalizer: United Kingdom")
struct UnitedKingdomPhoneTests {
    @Test(arguments: [
        PhoneCase(text: "07911 123456", e164: "+447911123456"),
        PhoneCase(text: "020 7946 0958", e164: "+442079460958"),
        PhoneCase(text: "(020) 7946-0958", e164: "+442079460958"),
        PhoneCase(text: "+44 7911 123456", e164: "+447911123456"),
        PhoneCase(text: "+44 (0)7911 123456", e164: "+447911123456"),
        PhoneCase(text: "0044 7911 123456", e164: "+447911123456"),
        PhoneCase(text: "447911123456", e164: "+447911123456"),
    ])
    func accepts(_ row: PhoneCase) throws {
        #expect(try normalize(row.text, region: "GB").e164 == row.e164)
    }

    @Test(arguments: [
        // Ofcom keeps 07700 900xxx for drama: never a real number.
        RejectedPhoneCase(text: "07700 900123", code: .notAValidNumber),
        RejectedPhoneCase(text: "020 7946 095", code: .notAValidNumber),
        RejectedPhoneCase(text: "0791", code: .tooShort),
        RejectedPhoneCase(text: "07911 123456 7890 12345", code: .tooLong),
        // A Ukrainian national number read as British.
        RejectedPhoneCase(text: "067 123 45 67", code: .notAValidNumber),
    ])
    func rejects(_ row: RejectedPhoneCase) throws {
        try expectRejected(row.text, region: "GB", code: row.code)
    }
}

@Suite("PhoneNormalizer: configuration and paths")
struct PhoneNormalizerConfigurationTests {
    @Test func regionIsCaseInsensitiveAndStoredUpperCase() throws {
        #expect(try PhoneNormalizer(defaultRegion: "ua").defaultRegion == "UA")
        #expect(try normalize("067 123 45 67", region: "ua").e164 == "+380671234567")
    }

    @Test(arguments: ["XX", "UKR", "U", "1"])
    func unknownRegionIsRefusedUpFront(_ region: String) {
        let error = #expect(throws: PhoneNumberError.self) { try PhoneNormalizer(defaultRegion: region) }
        #expect(error?.code == .unknownRegion)
        #expect(error?.message.contains("'\(region)'") == true)
    }

    @Test(arguments: [
        PhoneCase(text: "+380671234567", e164: "+380671234567"),
        PhoneCase(text: "+380 67 123 45 67", e164: "+380671234567"),
        PhoneCase(text: "00380671234567", e164: "+380671234567"),
        PhoneCase(text: "380671234567", e164: "+380671234567"),
        PhoneCase(text: "1 201 555 0123", e164: "+12015550123"),
    ])
    func withoutRegionOnlyInternationalFormsWork(_ row: PhoneCase) throws {
        #expect(try normalize(row.text, region: "").e164 == row.e164)
    }

    @Test func withoutRegionANationalNumberHasNoCountry() throws {
        try expectRejected("067 123 45 67", region: "", code: .invalidCountryCode)
    }

    /// The fast path (plain `+<digits>`) must agree with the cleanup path on every outcome.
    @Test(arguments: [
        "+380671234567", "+380441234567", "+48512345678", "+4915123456789", "+12015550123",
        "+447911123456", "+442079460958", "+3800671234567", "+38067123456789", "+380123456789",
        "+447700900123", "+9991234567", "+12", "+1", "+390612345678", "+79123456789",
    ])
    func fastPathAgreesWithCleanupPath(_ e164: String) throws {
        let normalizer = try PhoneNormalizer(defaultRegion: "UA")
        let fast = Result { try normalizer.normalize(e164) }
        let cleaned = Result { try normalizer.normalize(" " + e164 + " ") }
        switch (fast, cleaned) {
        case (.success(let a), .success(let b)):
            #expect(a == b)
        case (.failure(let a as PhoneNumberError), .failure(let b as PhoneNumberError)):
            #expect(a.code == b.code)
        default:
            Issue.record("fast path \(fast) and cleanup path \(cleaned) disagree for \(e164)")
        }
    }

    /// Normalising an E.164 result again gives it back: stored keys are fixed points.
    @Test(arguments: ["067 123 45 67", "8 067 123 45 67", "380671234567", "+3800671234567", "0044 7911 123456"])
    func resultsAreFixedPoints(_ text: String) throws {
        let normalizer = try PhoneNormalizer(defaultRegion: "UA")
        let once = try normalizer.normalize(text)
        #expect(try normalizer.normalize(once.e164) == once)
    }

    @Test func normalizesConcurrentlyWithSameResults() async throws {
        let normalizer = try PhoneNormalizer(defaultRegion: "UA")
        let inputs = (0..<500).map { "067 \(100 + $0 % 900) 45 \(10 + $0 % 90)" } + (0..<500).map { "+38050\(1_000_000 + $0 * 7)" }
        let expected = try inputs.map { try normalizer.normalize($0) }
        let rounds = try await withThrowingTaskGroup(of: [PhoneNumber].self) { group in
            for _ in 0..<8 {
                group.addTask { try inputs.map { try normalizer.normalize($0) } }
            }
            return try await group.reduce(into: [[PhoneNumber]]()) { $0.append($1) }
        }
        #expect(rounds.count == 8)
        for round in rounds {
            #expect(round == expected)
        }
    }
}
