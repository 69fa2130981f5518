// Internal to the CPhoneNumber target: IsValidNumber() for the fast paths,
// answered from the library's own metadata without its per-call overhead.
// See ValidityCheck.cpp and docs/decisions/0013-phone-validity-check.md.
#ifndef CPHONENUMBER_VALIDITY_CHECK_H
#define CPHONENUMBER_VALIDITY_CHECK_H

#include <cstdint>

#include "CPhoneNumber.h"

namespace clpn {

// PhoneNumberUtil::IsValidNumber() for the number (country_code,
// national_number) with no italian leading zero and no extension, which is
// what both fast paths build. CLPN_VALIDITY_ASK_LIBRARY when the calling code
// is shared by several regions or non-geographic, its region failed the
// self-check, or ICU failed. Thread-safe.
clpn_validity check_validity(int32_t country_code, uint64_t national_number);

}  // namespace clpn

#endif
