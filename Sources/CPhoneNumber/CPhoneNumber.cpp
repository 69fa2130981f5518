// The C++ side of CPhoneNumber.h: thin calls into libphonenumber, mapping its
// results to clpn_status. No exception leaves. The only state kept here is what
// the library's read-only metadata answers (which calling codes exist, a
// region's calling code), so that a bulk import does not ask it per number,
// and ValidityCheck.cpp's compiled patterns and per-thread matchers.

#include "CPhoneNumber.h"
#include "ValidityCheck.h"

#include <array>
#include <cstring>
#include <string>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

// libphonenumber: "The PhoneNumberUtil is implemented as a singleton. Therefore,
// calling GetInstance multiple times will only result in one instance being
// created." Debian builds it with the pthread_once variant (singleton_posix.h),
// so first use from several threads is safe. Every method called below is
// const; the one cache those methods fill (RegExpCache) takes its own lock
// ("Lock lock_; // protects cache_impl_", regexp_cache.h). So callers on any
// thread share it without a lock of ours.
const PhoneNumberUtil &util() {
    return *PhoneNumberUtil::GetInstance();
}

// libphonenumber's "unknown region": Parse() documents that "ZZ" may be passed
// when the number is guaranteed to start with '+' and a calling code; for any
// other text it answers INVALID_COUNTRY_CODE_ERROR, which is what we want when
// the caller gave no default region.
const char kUnknownRegion[] = "ZZ";

clpn_status write_out(const char *text, size_t length, char *out, size_t *out_length) {
    // The caller's capacity was checked against CLPN_E164_CAPACITY up front, and
    // Parse() rejects more than 17 national digits (TOO_LONG_NSN), so this holds.
    if (length + 1 > CLPN_E164_CAPACITY) {
        return CLPN_INTERNAL_ERROR;
    }
    std::memcpy(out, text, length);
    out[length] = '\0';
    if (out_length != nullptr) {
        *out_length = length;
    }
    return CLPN_OK;
}

clpn_status from_parse_error(PhoneNumberUtil::ErrorType error) {
    switch (error) {
    case PhoneNumberUtil::NO_PARSING_ERROR:
        return CLPN_OK;
    case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR:
        return CLPN_INVALID_COUNTRY_CODE;
    case PhoneNumberUtil::NOT_A_NUMBER:
        return CLPN_NOT_A_NUMBER;
    case PhoneNumberUtil::TOO_SHORT_AFTER_IDD:
    case PhoneNumberUtil::TOO_SHORT_NSN:
        return CLPN_TOO_SHORT;
    case PhoneNumberUtil::TOO_LONG_NSN:
        return CLPN_TOO_LONG;
    }
    return CLPN_INTERNAL_ERROR;
}

// Parse() only rejects absurd lengths (fewer than 2 or more than 17 national
// digits); a wrong but plausible length comes back parsed and fails
// IsValidNumber(). IsPossibleNumberWithReason() "tests length only", so it
// says which length problem it was, and falls to CLPN_NOT_VALID when the
// length is fine and the digits are simply not an allocated range.
clpn_status classify_invalid(const PhoneNumberUtil &phone_util, const PhoneNumber &number) {
    switch (phone_util.IsPossibleNumberWithReason(number)) {
    case PhoneNumberUtil::TOO_SHORT:
    // "The number length matches that of local numbers for this region only":
    // the area code is missing, which to a user reads as too short.
    case PhoneNumberUtil::IS_POSSIBLE_LOCAL_ONLY:
        return CLPN_TOO_SHORT;
    case PhoneNumberUtil::TOO_LONG:
        return CLPN_TOO_LONG;
    case PhoneNumberUtil::INVALID_LENGTH:
        return CLPN_INVALID_LENGTH;
    case PhoneNumberUtil::INVALID_COUNTRY_CODE:
        return CLPN_INVALID_COUNTRY_CODE;
    case PhoneNumberUtil::IS_POSSIBLE:
        return CLPN_NOT_VALID;
    }
    return CLPN_NOT_VALID;
}

// The library's general path: Parse(), IsValidNumber(), Format(E164).
clpn_status parse_and_validate(const char *input, size_t input_length, const std::string &region_code,
                               char *out, size_t *out_length, int32_t *out_country_code) {
    const PhoneNumberUtil &phone_util = util();
    PhoneNumber number;
    // Parse() strips punctuation, a leading '+' or the region's international
    // (IDD) prefix such as "00" in UA or "011" in the US, the region's national
    // (trunk) prefix such as "0" in UA or "8" in RU, and a leading copy of the
    // region's own calling code when the rest is a better fit ("380671234567"
    // in UA). It does not check validity: "This can be done separately with
    // IsValidNumber()".
    const clpn_status parsed = from_parse_error(
        phone_util.Parse(std::string(input, input_length), region_code, &number));
    if (parsed != CLPN_OK) {
        return parsed;
    }
    if (out_country_code != nullptr) {
        *out_country_code = number.country_code();
    }
    // IsValidNumber() "tests whether a phone number matches a valid pattern"
    // for its country (length and leading digits), not whether it is in use.
    if (!phone_util.IsValidNumber(number)) {
        return classify_invalid(phone_util, number);
    }
    std::string e164;
    phone_util.Format(number, PhoneNumberUtil::E164, &e164);
    return write_out(e164.data(), e164.size(), out, out_length);
}

bool is_ascii_digit(char byte) {
    return byte >= '0' && byte <= '9';
}

// Calling codes are 1 to 3 digits. Which of them the library knows never
// changes while the process runs (its metadata is compiled in), so it is asked
// once for all 999 rather than up to three times per number:
// GetRegionCodeForCountryCode() builds a list of region strings on every call.
// It answers "ZZ" for a code it does not know ("001" for non-geographic ones).
using KnownCallingCodes = std::array<bool, 1000>;

const KnownCallingCodes &known_calling_codes() {
    // A function-local static is initialised once, thread-safely (C++11,
    // [stmt.dcl]/4); if the library throws (allocation), the next call retries.
    static const KnownCallingCodes known = [] {
        KnownCallingCodes codes{};
        std::string region;
        for (int32_t code = 1; code < static_cast<int32_t>(codes.size()); ++code) {
            region.clear();
            util().GetRegionCodeForCountryCode(code, &region);
            codes[static_cast<size_t>(code)] = region != kUnknownRegion;
        }
        return codes;
    }();
    return known;
}

// GetCountryCodeForRegion() for the region this thread asked about last: an
// import reads every national number in the same default region, and the
// library's answer is a hash-map lookup by region name per call. Per thread,
// so no lock; the answer for a given region never changes.
int32_t country_code_for_region(const std::string &region_code) {
    // Trivial, so zero-initialised with the thread and read without a guard.
    struct Last {
        char region[8];
        size_t length;
        int32_t code;
    };
    thread_local Last last;
    if (last.length != 0 && last.length == region_code.size()
        && std::memcmp(last.region, region_code.data(), last.length) == 0) {
        return last.code;
    }
    const int32_t code = util().GetCountryCodeForRegion(region_code);
    // Region codes are 2 letters ("001" for non-geographic); a longer text is
    // simply not remembered.
    if (region_code.size() < sizeof last.region) {
        std::memcpy(last.region, region_code.data(), region_code.size());
        last.length = region_code.size();
        last.code = code;
    }
    return code;
}

// The decimal digits of a positive calling code (at most 3) after '+', into
// `out`; the number of bytes written. snprintf did the same through the
// locale-aware formatting machinery, for every national number.
size_t write_calling_code(int32_t code, char *out) {
    char digits[10];
    size_t count = 0;
    for (uint32_t rest = static_cast<uint32_t>(code); rest != 0 && count < sizeof digits; rest /= 10) {
        digits[count++] = static_cast<char>('0' + rest % 10);
    }
    out[0] = '+';
    for (size_t i = 0; i < count; ++i) {
        out[1 + i] = digits[count - 1 - i];
    }
    return 1 + count;
}

// IsValidNumber() for a number a fast path built (no leading zero, no
// extension): from ValidityCheck.cpp where it answers for the calling code,
// else from the library.
bool is_valid_number(const PhoneNumber &number) {
    const clpn_validity answer = clpn::check_validity(number.country_code(), number.national_number());
    if (answer != CLPN_VALIDITY_ASK_LIBRARY) {
        return answer == CLPN_VALIDITY_VALID;
    }
    return util().IsValidNumber(number);
}

// Calling codes whose "+<code><digits>" take the direct check below. Parse()
// also strips a national prefix it finds after the calling code when both
// numbers are valid, which the direct check cannot know of: Mexico's old mobile
// "1" after +52 ("+52 1 ..." parses without the 1) diverged, found by
// CPhoneNumberFastPathTests. So, as for kNationalFastPathRegions, the list is
// explicit: each code here is checked against Parse() by
// internationalFastPathMatchesReference; add a code there before adding it here.
// Every other code takes the general path.
const int32_t kInternationalFastPathCodes[] = {1, 7, 33, 39, 44, 48, 49, 86, 375, 380, 972};

bool takes_international_fast_path(int32_t country_code) {
    for (const int32_t code : kInternationalFastPathCodes) {
        if (code == country_code) {
            return true;
        }
    }
    return false;
}

// The fast path for text that is already "+<digits>". Returns true with
// *status set when it could decide; false sends the caller to the full parse.
bool try_plain_e164(const char *input, size_t input_length,
                    char *out, size_t *out_length, int32_t *out_country_code,
                    clpn_status *status) {
    // '+', at least 1 calling-code digit and 2 national digits (Parse()'s own
    // minimum), at most 3 + 17 digits (its maximum).
    if (input_length < 4 || input_length > 21 || input[0] != '+') {
        return false;
    }
    for (size_t i = 1; i < input_length; ++i) {
        if (!is_ascii_digit(input[i])) {
            return false;
        }
    }
    // Calling codes are 1 to 3 digits and prefix-free (ITU-T E.164), so the
    // first prefix the library knows is the code; this is how the library's
    // own ExtractCountryCode() reads one.
    const KnownCallingCodes &known = known_calling_codes();
    int32_t country_code = 0;
    size_t code_digits = 0;
    for (size_t digits = 1; digits <= 3 && 1 + digits < input_length; ++digits) {
        const int32_t candidate = country_code * 10 + (input[digits] - '0');
        if (known[static_cast<size_t>(candidate)]) {
            country_code = candidate;
            code_digits = digits;
            break;
        }
        country_code = candidate;
    }
    const size_t national_start = 1 + code_digits;
    const size_t national_digits = input_length - national_start;
    // A national number with leading zeros (Italy) needs the proto's
    // italian_leading_zero fields, which only Parse() fills in correctly.
    if (code_digits == 0 || national_digits < 2 || national_digits > 17
        || input[national_start] == '0' || !takes_international_fast_path(country_code)) {
        return false;
    }
    uint64_t national_number = 0;
    for (size_t i = national_start; i < input_length; ++i) {
        national_number = national_number * 10 + static_cast<uint64_t>(input[i] - '0');
    }
    PhoneNumber number;
    number.set_country_code(country_code);
    number.set_national_number(national_number);
    // Only a valid number is decided here. Anything else goes through Parse(),
    // which may still repair it (it drops a national prefix written after the
    // calling code, "+380 0671234567") and otherwise names the precise error.
    if (!is_valid_number(number)) {
        return false;
    }
    if (out_country_code != nullptr) {
        *out_country_code = country_code;
    }
    // E.164 of (calling code, national number without leading zeros) is exactly
    // '+', the code and the national digits: the input itself.
    *status = write_out(input, input_length, out, out_length);
    return true;
}

// Regions whose national numbers take the direct check below, with their
// trunk prefix. A region belongs here only when "<trunk><national number>"
// cannot also be read by Parse() as something else: its trunk prefix is its
// whole national_prefix_for_parsing, with no carrier codes or transform rule,
// and no international (IDD) prefix starts with the trunk digit followed by a
// non-zero digit. That holds for UA (trunk "0", IDD "00"), and Israel shows
// why the list is explicit: its IDD "01x" starts like its trunk "0".
// NationalFastPathTests checks each listed region against Parse(); add a
// region there before adding it here.
struct NationalFastPathRegion {
    const char *region;
    char trunk_prefix;
};
const NationalFastPathRegion kNationalFastPathRegions[] = {
    {"UA", '0'},
};

// The fast path for a national number written as "<trunk><digits>" in a
// listed region. Same contract as try_plain_e164.
bool try_plain_national(const char *input, size_t input_length,
                        const std::string &region_code, int32_t country_code,
                        char *out, size_t *out_length, int32_t *out_country_code,
                        clpn_status *status) {
    char trunk_prefix = '\0';
    for (const NationalFastPathRegion &entry : kNationalFastPathRegions) {
        if (region_code == entry.region) {
            trunk_prefix = entry.trunk_prefix;
        }
    }
    // The trunk digit, then 2 to 17 national digits, the first not 0.
    if (trunk_prefix == '\0' || input_length < 3 || input_length > 18
        || input[0] != trunk_prefix || input[1] == '0') {
        return false;
    }
    uint64_t national_number = 0;
    for (size_t i = 1; i < input_length; ++i) {
        if (!is_ascii_digit(input[i])) {
            return false;
        }
        national_number = national_number * 10 + static_cast<uint64_t>(input[i] - '0');
    }
    PhoneNumber number;
    number.set_country_code(country_code);
    number.set_national_number(national_number);
    // As in try_plain_e164: only a valid number is decided here.
    if (!is_valid_number(number)) {
        return false;
    }
    if (out_country_code != nullptr) {
        *out_country_code = country_code;
    }
    // E.164: '+', the calling code, the national digits after the trunk prefix.
    // Calling codes have at most 3 digits, so the code takes at most 4 bytes.
    char e164[CLPN_E164_CAPACITY];
    const size_t national_length = input_length - 1;
    if (country_code <= 0 || country_code > 999 || 4 + national_length + 1 > sizeof e164) {
        return false;
    }
    const size_t code_length = write_calling_code(country_code, e164);
    std::memcpy(e164 + code_length, input + 1, national_length);
    *status = write_out(e164, code_length + national_length, out, out_length);
    return true;
}

bool has_room(const char *out, size_t out_capacity) {
    return out != nullptr && out_capacity >= CLPN_E164_CAPACITY;
}

void reset(size_t *out_length, int32_t *out_country_code) {
    if (out_length != nullptr) {
        *out_length = 0;
    }
    if (out_country_code != nullptr) {
        *out_country_code = 0;
    }
}

// Shared by both entry points: argument checks, the region check, then either
// the fast paths and the general path, or the general path alone.
clpn_status normalize(const char *input, size_t input_length,
                      const char *region, size_t region_length,
                      char *out, size_t out_capacity, size_t *out_length,
                      int32_t *out_country_code, bool allow_fast_paths) {
    reset(out_length, out_country_code);
    if (!has_room(out, out_capacity)) {
        return CLPN_BUFFER_TOO_SMALL;
    }
    if ((input == nullptr && input_length != 0) || (region == nullptr && region_length != 0)) {
        return CLPN_NOT_A_NUMBER;
    }
    if (input == nullptr) {
        input = "";
    }
    try {
        const std::string region_code = region_length == 0
            ? std::string(kUnknownRegion)
            : std::string(region, region_length);
        // GetCountryCodeForRegion() answers 0 for a region it does not know.
        // Parse() would ignore a bad region for '+' numbers and call national
        // ones INVALID_COUNTRY_CODE_ERROR; checking first names the real fault.
        const int32_t region_country_code =
            region_length == 0 ? 0 : country_code_for_region(region_code);
        if (region_length != 0 && region_country_code == 0) {
            return CLPN_UNKNOWN_REGION;
        }
        clpn_status status = CLPN_INTERNAL_ERROR;
        if (allow_fast_paths && input_length > 0) {
            const bool decided = input[0] == '+'
                ? try_plain_e164(input, input_length, out, out_length, out_country_code, &status)
                : try_plain_national(input, input_length, region_code, region_country_code,
                                     out, out_length, out_country_code, &status);
            if (decided) {
                return status;
            }
        }
        return parse_and_validate(input, input_length, region_code, out, out_length, out_country_code);
    } catch (...) {
        // Only allocation can throw in here; C callers cannot see exceptions.
        reset(out_length, out_country_code);
        return CLPN_INTERNAL_ERROR;
    }
}

}  // namespace

extern "C" clpn_status clpn_normalize(const char *input, size_t input_length,
                                      const char *region, size_t region_length,
                                      char *out, size_t out_capacity, size_t *out_length,
                                      int32_t *out_country_code) {
    return normalize(input, input_length, region, region_length,
                     out, out_capacity, out_length, out_country_code, true);
}

extern "C" clpn_status clpn_normalize_reference(const char *input, size_t input_length,
                                                const char *region, size_t region_length,
                                                char *out, size_t out_capacity, size_t *out_length,
                                                int32_t *out_country_code) {
    return normalize(input, input_length, region, region_length,
                     out, out_capacity, out_length, out_country_code, false);
}

extern "C" int32_t clpn_country_code_for_region(const char *region, size_t region_length) {
    if (region == nullptr || region_length == 0) {
        return 0;
    }
    try {
        // "Returns the country calling code for a specific region", 0 when the
        // region is invalid or unknown.
        return util().GetCountryCodeForRegion(std::string(region, region_length));
    } catch (...) {
        return 0;
    }
}

extern "C" clpn_validity clpn_check_validity(int32_t country_code, uint64_t national_number) {
    try {
        return clpn::check_validity(country_code, national_number);
    } catch (...) {
        return CLPN_VALIDITY_ASK_LIBRARY;
    }
}

extern "C" bool clpn_library_is_valid(int32_t country_code, uint64_t national_number) {
    try {
        PhoneNumber number;
        number.set_country_code(country_code);
        number.set_national_number(national_number);
        return util().IsValidNumber(number);
    } catch (...) {
        return false;
    }
}

extern "C" bool clpn_example_national_number(int32_t country_code, int32_t type, uint64_t *out) {
    if (out == nullptr || type < 0 || type > static_cast<int32_t>(PhoneNumberUtil::VOICEMAIL)) {
        return false;
    }
    try {
        std::string region;
        util().GetRegionCodeForCountryCode(country_code, &region);
        PhoneNumber number;
        // "Gets a valid number for the specified region and number type."
        if (region == kUnknownRegion
            || !util().GetExampleNumberForType(region, static_cast<PhoneNumberUtil::PhoneNumberType>(type), &number)
            || number.italian_leading_zero()) {
            return false;
        }
        *out = number.national_number();
        return true;
    } catch (...) {
        return false;
    }
}
