// CPhoneNumber: a plain C face for Google's libphonenumber (C++).
//
// Why C and not C++ interop: importing libphonenumber's headers into Swift
// through C++ interoperability crashes the Swift compiler (protobuf and absl
// templates), so this header is pure C and is the only thing Swift sees. The
// C++ lives in CPhoneNumber.cpp and never lets an exception cross this line.
//
// Every function is thread-safe: each call keeps its state on its own stack or
// in its thread's own matchers, the validity check's compiled patterns are
// built once under a lock and never change, and the library's shared
// PhoneNumberUtil is a lazily built, read-only singleton (see the call sites
// for the behaviour relied on).

#ifndef CPHONENUMBER_H
#define CPHONENUMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// Nullability for Swift's importer (so it sees Optional, not `!`). It is a
// clang extension, hence the fallback for other C compilers.
#if defined(__clang__)
#define CLPN_NULLABLE _Nullable
#else
#define CLPN_NULLABLE
#endif

/// Outcome of a normalisation call. Values are stable: they may be stored or logged.
typedef enum clpn_status {
    /// Parsed, valid, and written to the output buffer as E.164.
    CLPN_OK = 0,
    /// The text does not look like a phone number at all (libphonenumber NOT_A_NUMBER).
    CLPN_NOT_A_NUMBER = 1,
    /// No country could be determined: unknown calling code after `+`/IDD, or a
    /// national number with no default region (INVALID_COUNTRY_CODE_ERROR).
    CLPN_INVALID_COUNTRY_CODE = 2,
    /// Fewer digits than any number of that country (or only a local number, with no area code).
    CLPN_TOO_SHORT = 3,
    /// More digits than any number of that country.
    CLPN_TOO_LONG = 4,
    /// A length between the shortest and longest numbers of that country that none of them has.
    CLPN_INVALID_LENGTH = 5,
    /// Parsed and of a possible length, but IsValidNumber() is false (no such number range).
    CLPN_NOT_VALID = 6,
    /// The default region is not an ISO 3166 alpha-2 code that the library knows.
    CLPN_UNKNOWN_REGION = 7,
    /// The output buffer is smaller than CLPN_E164_CAPACITY.
    CLPN_BUFFER_TOO_SMALL = 8,
    /// The library failed unexpectedly (for example out of memory).
    CLPN_INTERNAL_ERROR = 9,
} clpn_status;

/// Output buffer size that always suffices: `+`, a 3-digit calling code, up to
/// 17 national digits (the library's parse limit), and a terminating NUL.
#define CLPN_E164_CAPACITY 24

/// Normalises `input` (UTF-8, `input_length` bytes, need not be NUL-terminated)
/// to E.164, reading national numbers as numbers of `region` (upper-case ISO 3166
/// alpha-2 such as "UA"; `region_length` 0 means no default region).
///
/// NULL pointers are accepted and answered with a status, never a crash.
/// On CLPN_OK writes the NUL-terminated E.164 form to `out` and its length
/// (without the NUL) to `*out_length`. `*out_country_code`, when not NULL, gets
/// the calling code the number was read with whenever parsing got that far
/// (also for CLPN_TOO_SHORT, CLPN_TOO_LONG, CLPN_INVALID_LENGTH, CLPN_NOT_VALID),
/// otherwise 0.
///
/// Two shapes skip libphonenumber's general-purpose Parse() (about three
/// quarters of the cost) and go straight to IsValidNumber(): "+<digits>", and
/// "<trunk prefix><digits>" in the regions the .cpp lists (UA: "0671234567").
/// For a calling code of one region that answer comes from clpn_check_validity().
/// Only a valid number is decided that way; anything else takes the general
/// path, so results equal clpn_normalize_reference's.
clpn_status clpn_normalize(const char *CLPN_NULLABLE input, size_t input_length,
                           const char *CLPN_NULLABLE region, size_t region_length,
                           char *CLPN_NULLABLE out, size_t out_capacity,
                           size_t *CLPN_NULLABLE out_length,
                           int32_t *CLPN_NULLABLE out_country_code);

/// As clpn_normalize, but always through the library's general path
/// (Parse, IsValidNumber, Format): the yardstick tests hold the fast paths to.
clpn_status clpn_normalize_reference(const char *CLPN_NULLABLE input, size_t input_length,
                                     const char *CLPN_NULLABLE region, size_t region_length,
                                     char *CLPN_NULLABLE out, size_t out_capacity,
                                     size_t *CLPN_NULLABLE out_length,
                                     int32_t *CLPN_NULLABLE out_country_code);

/// The country calling code of `region` (e.g. 380 for "UA"), or 0 when the
/// library does not know the region.
int32_t clpn_country_code_for_region(const char *CLPN_NULLABLE region, size_t region_length);

/// What clpn_check_validity() answered.
typedef enum clpn_validity {
    CLPN_VALIDITY_VALID = 0,
    CLPN_VALIDITY_NOT_VALID = 1,
    /// The shim's own check does not answer for this calling code (shared by
    /// several regions, non-geographic, or its self-check against the library
    /// failed): the fast paths ask the library's IsValidNumber().
    CLPN_VALIDITY_ASK_LIBRARY = 2,
} clpn_validity;

/// The fast paths' validity check for (calling code, national number without
/// leading zeros): the answer of the library's IsValidNumber(), from its own
/// metadata and regex engine without its per-call overhead (ValidityCheck.cpp).
/// For tests, which compare it with clpn_library_is_valid().
clpn_validity clpn_check_validity(int32_t country_code, uint64_t national_number);

/// The library's own PhoneNumberUtil::IsValidNumber() for the same number.
bool clpn_library_is_valid(int32_t country_code, uint64_t national_number);

/// The library's example number of `type` (its PhoneNumberType: 0 fixed line,
/// 1 mobile, ... 10 voicemail) for the main region of `country_code`, as a
/// national number, into `*out`. False when it has none (or one with a leading
/// zero). For tests.
bool clpn_example_national_number(int32_t country_code, int32_t type, uint64_t *CLPN_NULLABLE out);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // CPHONENUMBER_H
