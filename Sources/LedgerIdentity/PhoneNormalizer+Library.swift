internal import CPhoneNumber

/// One answer from the C shim: its status, and the E.164 text when the status is OK.
struct LibraryAnswer {
    /// The shim's status for the call.
    let status: clpn_status
    /// The E.164 form; only set when `status` is `CLPN_OK`.
    let e164: String?
    /// The calling code the library read the number with, or 0 when it got no further.
    let countryCode: Int32

    /// True when the library returned a valid number.
    var isValid: Bool { status == CLPN_OK }
}

extension PhoneNormalizer {
    /// Reads `bytes` (`+` and digits) as an international number: no region is involved.
    func callInternational(_ bytes: UnsafeBufferPointer<UInt8>) -> LibraryAnswer {
        Self.withOutputBuffer { out, length, countryCode in
            bytes.withMemoryRebound(to: CChar.self) { input in
                clpn_normalize(input.baseAddress, input.count, nil, 0, out.baseAddress, out.count, &length, &countryCode)
            }
        }
    }

    /// Reads `bytes` (digits) as a number written in the default region.
    func callNational(_ bytes: UnsafeBufferPointer<UInt8>) -> LibraryAnswer {
        defaultRegion.withUTF8Bytes { regionBytes in
            Self.withOutputBuffer { out, length, countryCode in
                bytes.withMemoryRebound(to: CChar.self) { input in
                    regionBytes.withMemoryRebound(to: CChar.self) { region in
                        clpn_normalize(
                            input.baseAddress, input.count, region.baseAddress, region.count,
                            out.baseAddress, out.count, &length, &countryCode
                        )
                    }
                }
            }
        }
    }

    /// Lends `call` a stack buffer for the shim's output and wraps what it wrote.
    private static func withOutputBuffer(
        _ call: (UnsafeMutableBufferPointer<CChar>, inout Int, inout Int32) -> clpn_status
    ) -> LibraryAnswer {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(CLPN_E164_CAPACITY)) { out in
            var length = 0
            var countryCode: Int32 = 0
            let status = call(out, &length, &countryCode)
            guard status == CLPN_OK, length <= out.count else {
                return LibraryAnswer(status: status, e164: nil, countryCode: countryCode)
            }
            let e164 = out.withMemoryRebound(to: UInt8.self) { bytes in
                String(decoding: UnsafeBufferPointer(rebasing: bytes[0..<length]), as: UTF8.self)
            }
            return LibraryAnswer(status: status, e164: e164, countryCode: countryCode)
        }
    }

    /// Turns an answer into a number, or an error whose message quotes `text`.
    func outcome(of answer: LibraryAnswer, text: String) -> Result<PhoneNumber, PhoneNumberError> {
        if answer.status == CLPN_OK, let e164 = answer.e164 {
            return .success(PhoneNumber(checkedE164: e164))
        }
        let place = placeName(for: answer.countryCode)
        let status = Int(answer.status.rawValue)
        switch answer.status {
        case CLPN_NOT_A_NUMBER:
            return .failure(error(.notANumber, "'\(ShownValue.prefix(text))' is not a phone number", status))
        case CLPN_INVALID_COUNTRY_CODE:
            return .failure(error(.invalidCountryCode, "'\(ShownValue.prefix(text))' does not start with a known country calling code", status))
        case CLPN_TOO_SHORT:
            return .failure(error(.tooShort, "'\(ShownValue.prefix(text))' is too short for a phone number in \(place)", status))
        case CLPN_TOO_LONG:
            return .failure(error(.tooLong, "'\(ShownValue.prefix(text))' is too long for a phone number in \(place)", status))
        case CLPN_INVALID_LENGTH:
            return .failure(error(.invalidLength, "'\(ShownValue.prefix(text))' has a number of digits that no phone number in \(place) has", status))
        case CLPN_NOT_VALID:
            return .failure(error(.notAValidNumber, "'\(ShownValue.prefix(text))' is not a valid phone number in \(place)", status))
        case CLPN_UNKNOWN_REGION:
            return .failure(error(.unknownRegion, "the default region '\(defaultRegion)' is not known to libphonenumber", status))
        default:
            return .failure(error(.libraryFailure, "libphonenumber failed while reading '\(ShownValue.prefix(text))' (status \(status))", status))
        }
    }

    /// Names where the number was read: the default region, or a foreign calling code.
    private func placeName(for countryCode: Int32) -> String {
        if countryCode == 0 || countryCode == defaultCallingCode {
            return defaultRegion.isEmpty ? "any country" : defaultRegion
        }
        return "country code +\(countryCode)"
    }

    /// Builds an error of this normaliser.
    func error(_ code: PhoneNumberError.Code, _ message: String, _ status: Int? = nil) -> PhoneNumberError {
        PhoneNumberError(code: code, message: message, libraryStatus: status)
    }
}
