// The old Soviet long-distance prefix "8", still common in Ukrainian address
// books as "8 067 123 45 67" or "80671234567".
//
// Which default regions rewrite it, and why only those (checked against
// libphonenumber 8.12.57 as shipped by Debian; PhoneNormalizerTrunkPrefixTests
// pins each case so a library upgrade that changes it fails loudly):
//
// - UA: rewritten. Ukraine's trunk prefix is "0"; the "8" in front of the
//   "0xx" code is the old long-distance prefix, which libphonenumber's UA data
//   does not know: it reads "80671234567" as the national number 80671234567
//   (+38080671234567, invalid). UA national numbers have 9 digits, so the old
//   form is exactly 11 digits starting "80"; the leading 8 is dropped.
// - RU and KZ (+7): not rewritten. There the trunk prefix is "8" itself,
//   followed directly by a code that never starts with 0 ("8 912 …",
//   "8 701 …"), and libphonenumber already strips it. "8 0…" is no real form
//   there, so dropping the 8 would only trade one invalid number for another.
// - BY: not rewritten. The trunk prefix really is "8 0" ("8 029 123 45 67"),
//   and libphonenumber's BY data already strips both digits.
// - Every other region: not rewritten; an 8 is an ordinary digit there.
//
// The old international prefix "8 10" is out of scope: the library reads it
// for RU, KZ and BY, and it has been out of use in UA for over a decade.

extension PhoneNormalizer {
    /// Whether national numbers in `region` (upper-case) get the `8 0xx` rewrite.
    static func rewritesSovietTrunkPrefix(in region: String) -> Bool {
        region == "UA"
    }

    /// True when national `digits` are the old form `8 0xx xxx xx xx`: 11 digits starting `80`.
    static func hasSovietTrunkPrefix(_ digits: UnsafeMutableBufferPointer<UInt8>.SubSequence) -> Bool {
        digits.count == 11
            && digits[digits.startIndex] == ASCII.eight
            && digits[digits.startIndex + 1] == ASCII.zero
    }
}
