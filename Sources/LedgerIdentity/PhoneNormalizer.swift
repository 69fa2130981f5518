internal import CPhoneNumber

/// Reads phone numbers as people write them and returns them in E.164.
///
/// Accepted forms, for a default region of UA: national `067 123 45 67`,
/// international `+380 67 123 4567` or `00380 67 123 4567` (`00` being the
/// region's international prefix), digits with the calling code
/// `380671234567`, and the old trunk form `8 067 123 45 67`; spaces, dashes,
/// dots, slashes and parentheses are ignored. Every result is checked with
/// libphonenumber's IsValidNumber. A value is cheap to copy and safe to share
/// between threads.
public struct PhoneNormalizer: Sendable {
    /// The upper-case ISO 3166 alpha-2 region national numbers belong to; empty for none.
    public let defaultRegion: String
    /// The default region's country calling code (380 for UA); 0 when there is no region.
    let defaultCallingCode: Int32
    /// `defaultCallingCode` as ASCII digits, to compare with input bytes.
    let callingCodeDigits: [UInt8]
    /// Whether `8 0xx …` is rewritten to `0xx …` (see `PhoneNormalizer+TrunkPrefix.swift`).
    let rewritesSovietTrunkPrefix: Bool

    /// Creates a normaliser for `defaultRegion` (`"UA"`, any case; `""` for international numbers only).
    public init(defaultRegion: String) throws(PhoneNumberError) {
        let region = defaultRegion.uppercased()
        var callingCode: Int32 = 0
        if !region.isEmpty {
            callingCode = region.withUTF8Bytes { bytes in
                bytes.withMemoryRebound(to: CChar.self) { chars in
                    clpn_country_code_for_region(chars.baseAddress, chars.count)
                }
            }
            guard callingCode != 0 else {
                throw PhoneNumberError(
                    code: .unknownRegion,
                    message: "'\(defaultRegion)' is not a region code that libphonenumber knows "
                        + "(expected ISO 3166 alpha-2, such as UA)"
                )
            }
        }
        self.defaultRegion = region
        self.defaultCallingCode = callingCode
        self.callingCodeDigits = callingCode == 0 ? [] : Array(String(callingCode).utf8)
        self.rewritesSovietTrunkPrefix = Self.rewritesSovietTrunkPrefix(in: region)
    }

    /// Returns `text` as an E.164 number, or throws why it is not a valid phone number.
    public func normalize(_ text: String) throws(PhoneNumberError) -> PhoneNumber {
        let result = text.withUTF8Bytes { bytes in
            // Bulk imports are mostly E.164 already: skip the cleanup pass for
            // them, but still let the library check validity.
            if Self.isPlainInternational(bytes) {
                return outcome(of: callInternational(bytes), text: text)
            }
            return normalizeWritten(bytes, text: text)
        }
        return try result.get()
    }
}
