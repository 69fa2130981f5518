extension PhoneNormalizer {
    /// Fewest digits for which a digit string that fails as a national number is tried
    /// as calling code + number: shorter strings are more likely a mistyped national number.
    static let minimumDigitsForForeignFallback = 11

    /// Normalises text that is not plain `+<digits>`: cleans it, then reads it as
    /// international or as national for the default region.
    func normalizeWritten(_ bytes: UnsafeBufferPointer<UInt8>, text: String) -> Result<PhoneNumber, PhoneNumberError> {
        guard bytes.count <= Self.maximumTextLength else {
            return .failure(error(.tooLong, "'\(ShownValue.prefix(text))' is too long for a phone number"))
        }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.maximumDigits + 1) { buffer in
            switch Self.clean(bytes, into: buffer) {
            case .empty:
                return .failure(error(.empty, "the phone number is empty"))
            case .noDigits:
                return .failure(error(.notANumber, "'\(ShownValue.prefix(text))' is not a phone number: it has no digits"))
            case .tooManyDigits:
                return .failure(error(.tooLong, "'\(ShownValue.prefix(text))' has too many digits for a phone number"))
            case .invalidCharacter:
                return .failure(error(
                    .invalidCharacters,
                    "'\(ShownValue.prefix(text))' has a character that is not a digit, a separator (space - . / ( )) or a leading +"
                ))
            case .digits(let count, let hasPlus):
                if hasPlus {
                    buffer[0] = ASCII.plus
                    return outcome(of: callInternational(UnsafeBufferPointer(rebasing: buffer[0...count])), text: text)
                }
                return normalizeDigits(buffer[1...count], text: text)
            }
        }
    }

    /// Reads a digit string that had no `+`; the byte before `digits` is free for writing one.
    private func normalizeDigits(
        _ written: UnsafeMutableBufferPointer<UInt8>.SubSequence,
        text: String
    ) -> Result<PhoneNumber, PhoneNumberError> {
        var digits = written
        if rewritesSovietTrunkPrefix && Self.hasSovietTrunkPrefix(digits) {
            digits = digits.dropFirst()
        }
        let base = digits.base
        let first = digits.startIndex

        if defaultRegion.isEmpty {
            return normalizeWithoutRegion(digits, text: text)
        }
        // A number in trunk-prefix countries is written nationally with its
        // trunk digit (0 in UA, DE, GB), so digits that start with the region's
        // own calling code are the international form without '+'. libphonenumber
        // guesses the other way when both readings are valid: in DE it reads
        // "4915123456789" as +49 4915123456789, where the writer meant +49 151….
        // So try the international reading first; it must be valid to win.
        if digits[first] != ASCII.zero && digits.count > callingCodeDigits.count
            && digits.starts(with: callingCodeDigits)
        {
            base[first - 1] = ASCII.plus
            let answer = callInternational(UnsafeBufferPointer(rebasing: base[(first - 1)..<digits.endIndex]))
            if answer.isValid {
                return outcome(of: answer, text: text)
            }
        }
        let national = callNational(UnsafeBufferPointer(rebasing: digits))
        if national.isValid {
            return outcome(of: national, text: text)
        }
        // A long digit string that is no national number may be a foreign one
        // written without '+' ("380671234567" in a PL ledger). Only a valid
        // reading is taken; otherwise the national error is the useful one.
        if digits[first] != ASCII.zero && digits.count >= Self.minimumDigitsForForeignFallback {
            base[first - 1] = ASCII.plus
            let answer = callInternational(UnsafeBufferPointer(rebasing: base[(first - 1)..<digits.endIndex]))
            if answer.isValid {
                return outcome(of: answer, text: text)
            }
        }
        return outcome(of: national, text: text)
    }

    /// With no default region, digits can only be international: after `00`, or with the calling code first.
    private func normalizeWithoutRegion(
        _ digits: UnsafeMutableBufferPointer<UInt8>.SubSequence,
        text: String
    ) -> Result<PhoneNumber, PhoneNumberError> {
        let base = digits.base
        let first = digits.startIndex
        // "00" is the international prefix of most of the world (ITU-T E.164
        // recommends it); with no region there is no other reading of it.
        if digits.count > 2 && digits[first] == ASCII.zero && digits[first + 1] == ASCII.zero {
            base[first + 1] = ASCII.plus
            return outcome(of: callInternational(UnsafeBufferPointer(rebasing: base[(first + 1)..<digits.endIndex])), text: text)
        }
        if digits[first] != ASCII.zero {
            base[first - 1] = ASCII.plus
            return outcome(of: callInternational(UnsafeBufferPointer(rebasing: base[(first - 1)..<digits.endIndex])), text: text)
        }
        return .failure(error(
            .invalidCountryCode,
            "'\(ShownValue.prefix(text))' has no country code, and no default region is set to read it as a national number"
        ))
    }
}
