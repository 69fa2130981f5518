import LedgerIdentity
import Testing

/// The old Soviet "8 0xx" long-distance form: rewritten in UA only, and the library's
/// own handling in RU, KZ and BY pinned so that a library change shows up here.
@Suite("PhoneNormalizer: 8 0xx trunk prefix")
struct PhoneNormalizerTrunkPrefixTests {
    @Test(arguments: [
        PhoneCase(text: "8 067 123 45 67", e164: "+380671234567"),
        PhoneCase(text: "80671234567", e164: "+380671234567"),
        PhoneCase(text: "8 (067) 123-45-67", e164: "+380671234567"),
        PhoneCase(text: "8-044-123-45-67", e164: "+380441234567"),
    ])
    func rewrittenInUkraine(_ row: PhoneCase) throws {
        #expect(try normalize(row.text, region: "UA").e164 == row.e164)
    }

    @Test(arguments: [
        // 10 digits: not the old form, so left for the library to refuse.
        RejectedPhoneCase(text: "8 067 123 45 6", code: .notAValidNumber),
        // 12 digits: too long either way.
        RejectedPhoneCase(text: "8 067 123 45 678", code: .tooLong),
        // "8 10" (old international prefix) is not rewritten in UA.
        RejectedPhoneCase(text: "8 10 48 512 345 678", code: .tooLong),
    ])
    func onlyTheExactOldFormIsRewritten(_ row: RejectedPhoneCase) throws {
        try expectRejected(row.text, region: "UA", code: row.code)
    }

    @Test(arguments: [
        // RU and KZ: the trunk prefix is 8 itself; libphonenumber strips it.
        ("RU", PhoneCase(text: "8 912 345 67 89", e164: "+79123456789")),
        ("RU", PhoneCase(text: "8 (495) 123-45-67", e164: "+74951234567")),
        ("RU", PhoneCase(text: "8 10 380 67 123 45 67", e164: "+380671234567")),
        ("KZ", PhoneCase(text: "8 701 123 45 67", e164: "+77011234567")),
        // BY: the trunk prefix is "8 0" and libphonenumber strips both digits.
        ("BY", PhoneCase(text: "8 029 123 45 67", e164: "+375291234567")),
        ("BY", PhoneCase(text: "80291234567", e164: "+375291234567")),
        ("BY", PhoneCase(text: "8 017 123 45 67", e164: "+375171234567")),
    ])
    func libraryHandlesItElsewhere(_ region: String, _ row: PhoneCase) throws {
        #expect(try normalize(row.text, region: region).e164 == row.e164)
    }

    @Test(arguments: [
        // No RU or KZ code starts with 0: "8 0…" stays invalid instead of being rewritten.
        ("RU", "8 0912 345 67 89"),
        ("KZ", "8 0701 123 45 67"),
        ("PL", "80671234567"),
    ])
    func notRewrittenOutsideUkraine(_ region: String, _ text: String) throws {
        let normalizer = try PhoneNormalizer(defaultRegion: region)
        #expect(throws: PhoneNumberError.self) { try normalizer.normalize(text) }
    }

    @Test func anEightIsAnOrdinaryDigitInGermany() throws {
        // Area code 08067 exists: dropping the 8 would turn one valid number into another.
        #expect(try normalize("8 067 123 45 67", region: "DE").e164 == "+4980671234567")
    }
}
