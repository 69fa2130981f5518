// IsValidNumber() for the fast paths, from the library's own metadata.
//
// For a calling code that belongs to one region, PhoneNumberUtil::IsValidNumber()
// is IsValidNumberForRegion() with that region, which is
// GetNumberTypeHelper(national significant number, region metadata) != UNKNOWN.
// That helper asks, in a fixed order, whether the number fully matches each
// number description of the region (general, premium rate, toll free, shared
// cost, VoIP, personal, pager, UAN, voicemail, fixed line, mobile): a
// description matches when its possible lengths (if listed) include the
// number's length and its national number pattern, compiled by ICU with no
// flags, matches the whole number (an empty pattern never matches).
//
// Per call the library looks each pattern up in its regex cache (a lock and a
// hash of the pattern text), converts the number to UTF-16, allocates an ICU
// matcher, and on a failed full match allocates another for a prefix match
// whose answer it then ignores. That is about 1.7 µs a number where the
// matching itself is about 0.25 µs: here each thread keeps one matcher per
// pattern, reset onto the digits.
//
// The patterns, lengths and flags come from the same serialized metadata the
// library builds itself from (metadata_get(), below), compiled by the same ICU
// regex engine. Before a region is answered here, the library and this check
// must agree on a set of numbers around each of the region's example numbers;
// a region where they do not (a library upgrade that changes the helper) stays
// with the library. The CPhoneNumber fast-path tests compare both on numbers
// of every calling code, through clpn_library_validity().

#include "ValidityCheck.h"

#include <phonenumbers/phonemetadata.pb.h>
#include <phonenumbers/phonenumberutil.h>
#include <unicode/regex.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace i18n {
namespace phonenumbers {
// Declared in the library's metadata.h, which Debian does not install, and
// exported by libphonenumber.so: the serialized PhoneMetadataCollection that
// PhoneNumberUtil's constructor parses its own metadata from.
int metadata_size();
const void *metadata_get();
}  // namespace phonenumbers
}  // namespace i18n

namespace clpn {
namespace {

using i18n::phonenumbers::PhoneMetadata;
using i18n::phonenumbers::PhoneMetadataCollection;
using i18n::phonenumbers::PhoneNumberDesc;
using i18n::phonenumbers::PhoneNumberUtil;

// The descriptions, in the order GetNumberTypeHelper() asks about them.
enum DescIndex : size_t {
    kGeneral,
    kPremiumRate,
    kTollFree,
    kSharedCost,
    kVoip,
    kPersonalNumber,
    kPager,
    kUan,
    kVoicemail,
    kFixedLine,
    kMobile,
    kDescCount,
};

const PhoneNumberDesc &desc_of(const PhoneMetadata &metadata, size_t index) {
    switch (index) {
    case kGeneral: return metadata.general_desc();
    case kPremiumRate: return metadata.premium_rate();
    case kTollFree: return metadata.toll_free();
    case kSharedCost: return metadata.shared_cost();
    case kVoip: return metadata.voip();
    case kPersonalNumber: return metadata.personal_number();
    case kPager: return metadata.pager();
    case kUan: return metadata.uan();
    case kVoicemail: return metadata.voicemail();
    case kFixedLine: return metadata.fixed_line();
    default: return metadata.mobile();
    }
}

struct CompiledDesc {
    std::vector<int32_t> possible_lengths;
    // Null for an empty pattern, which never matches.
    std::unique_ptr<icu::RegexPattern> pattern;
};

// One region's descriptions, compiled. Built once and never freed: the
// matchers of every thread point into the patterns.
struct RegionCheck {
    std::array<CompiledDesc, kDescCount> descs;
    bool same_mobile_and_fixed_line_pattern = false;
};

// The matchers of one thread for one region, made on first use.
struct Matchers {
    const RegionCheck *region = nullptr;
    std::array<std::unique_ptr<icu::RegexMatcher>, kDescCount> matchers;
};

Matchers &matchers_for(const RegionCheck &region) {
    // A thread sees one or two regions in practice (an import's default region
    // and the numbers written with '+'), so a short list searched in order.
    thread_local std::vector<std::unique_ptr<Matchers>> per_thread;
    for (const std::unique_ptr<Matchers> &entry : per_thread) {
        if (entry->region == &region) {
            return *entry;
        }
    }
    per_thread.push_back(std::make_unique<Matchers>());
    per_thread.back()->region = &region;
    return *per_thread.back();
}

// Whether description `index` matches all of `digits`; sets `failed` when ICU
// reports an error, in which case the answer means nothing.
bool matches_desc(const RegionCheck &region, Matchers &matchers, size_t index,
                  const icu::UnicodeString &digits, bool &failed) {
    const CompiledDesc &desc = region.descs[index];
    // IsNumberMatchingDesc(): listed possible lengths rule out the pattern.
    if (!desc.possible_lengths.empty()
        && std::find(desc.possible_lengths.begin(), desc.possible_lengths.end(), digits.length())
               == desc.possible_lengths.end()) {
        return false;
    }
    if (!desc.pattern) {
        return false;
    }
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::RegexMatcher> &matcher = matchers.matchers[index];
    if (!matcher) {
        matcher.reset(desc.pattern->matcher(status));
        if (U_FAILURE(status) || !matcher) {
            matcher.reset();
            failed = true;
            return false;
        }
    }
    // The matcher refers to `digits` until its next reset; it is only used
    // within this call.
    matcher->reset(digits);
    const bool matched = matcher->matches(status);
    if (U_FAILURE(status)) {
        failed = true;
        return false;
    }
    return matched;
}

// GetNumberTypeHelper(national_number, metadata) != UNKNOWN.
clpn_validity decide(const RegionCheck &region, Matchers &matchers, uint64_t national_number) {
    // The decimal digits, written from the end (at most 20 in a uint64_t).
    char16_t text[20];
    int32_t start = 20;
    do {
        text[--start] = static_cast<char16_t>(u'0' + national_number % 10);
        national_number /= 10;
    } while (national_number != 0 && start > 0);
    // A read-only alias of the digits: no allocation.
    const icu::UnicodeString digits(false, text + start, 20 - start);
    bool failed = false;
    auto matches = [&](size_t index) {
        return !failed && matches_desc(region, matchers, index, digits, failed);
    };
    bool valid = false;
    if (matches(kGeneral)) {
        // The helper's order decides the number's type; validity is only whether
        // some description matches, so the usual ones go first and most numbers
        // skip the special descriptions' patterns. FIXED_LINE and
        // FIXED_LINE_OR_MOBILE are both valid; MOBILE only counts when its
        // pattern differs from the fixed-line one (else the fixed-line check
        // answers for both).
        valid = (!region.same_mobile_and_fixed_line_pattern && matches(kMobile)) || matches(kFixedLine);
        for (size_t index = kPremiumRate; index <= kVoicemail && !valid; ++index) {
            valid = matches(index);
        }
    }
    if (failed) {
        return CLPN_VALIDITY_ASK_LIBRARY;
    }
    return valid ? CLPN_VALIDITY_VALID : CLPN_VALIDITY_NOT_VALID;
}

const PhoneNumberUtil &util() {
    return *PhoneNumberUtil::GetInstance();
}

// Numbers around an example: the example, its last digit changed, one digit
// fewer and one more, and its first digit changed, so that both answers of
// several descriptions are compared.
std::vector<uint64_t> numbers_around(const std::string &example) {
    std::vector<std::string> texts;
    texts.push_back(example);
    std::string changed_last = example;
    changed_last.back() = static_cast<char>('0' + (changed_last.back() - '0' + 1) % 10);
    texts.push_back(changed_last);
    texts.push_back(example.substr(0, example.size() - 1));
    texts.push_back(example + "5");
    std::string changed_first = example;
    changed_first[0] = static_cast<char>('1' + (changed_first[0] - '0') % 9);
    texts.push_back(changed_first);
    std::vector<uint64_t> numbers;
    for (const std::string &text : texts) {
        // As the fast paths build them: 2 to 17 digits, the first not 0.
        if (text.size() < 2 || text.size() > 17 || text[0] == '0') {
            continue;
        }
        uint64_t number = 0;
        for (const char digit : text) {
            number = number * 10 + static_cast<uint64_t>(digit - '0');
        }
        numbers.push_back(number);
    }
    return numbers;
}

// Whether this check and the library agree around every example number of
// the region. Examples are digits only; anything else is skipped.
bool agrees_with_library(const RegionCheck &region, int32_t country_code, const PhoneMetadata &metadata) {
    // Matchers of its own: the region is not published yet, and is freed if
    // this fails.
    Matchers matchers;
    matchers.region = &region;
    size_t compared = 0;
    for (size_t index = 0; index < kDescCount; ++index) {
        const std::string &example = desc_of(metadata, index).example_number();
        if (example.empty() || !std::all_of(example.begin(), example.end(),
                                            [](char c) { return c >= '0' && c <= '9'; })) {
            continue;
        }
        for (const uint64_t number : numbers_around(example)) {
            const clpn_validity answer = decide(region, matchers, number);
            if (answer == CLPN_VALIDITY_ASK_LIBRARY
                || (answer == CLPN_VALIDITY_VALID) != clpn_library_is_valid(country_code, number)) {
                return false;
            }
            ++compared;
        }
    }
    return compared > 0;
}

class Registry {
public:
    // The check for `country_code`, or null when the library must answer.
    const RegionCheck *check_for(int32_t country_code) {
        if (country_code < 1 || country_code >= static_cast<int32_t>(built_.size())) {
            return nullptr;
        }
        std::atomic<const RegionCheck *> &slot = built_[static_cast<size_t>(country_code)];
        const RegionCheck *check = slot.load(std::memory_order_acquire);
        if (check == nullptr) {
            std::lock_guard<std::mutex> guard(lock_);
            check = slot.load(std::memory_order_relaxed);
            if (check == nullptr) {
                check = build(country_code);
                slot.store(check, std::memory_order_release);
            }
        }
        return check == &uncovered_ ? nullptr : check;
    }

private:
    // Under lock_. Returns &uncovered_ when the library must answer.
    const RegionCheck *build(int32_t country_code) {
        // IsValidNumber() reads a shared calling code's region from the number
        // (GetRegionCodeForNumberFromRegionList); only single-region codes are
        // IsValidNumberForRegion() of a fixed region.
        std::list<std::string> regions;
        util().GetRegionCodesForCountryCallingCode(country_code, &regions);
        if (regions.size() != 1 || regions.front() == "001") {
            return &uncovered_;
        }
        const PhoneMetadata *metadata = find_metadata(regions.front(), country_code);
        if (metadata == nullptr) {
            return &uncovered_;
        }
        auto check = std::make_unique<RegionCheck>();
        check->same_mobile_and_fixed_line_pattern = metadata->same_mobile_and_fixed_line_pattern();
        for (size_t index = 0; index < kDescCount; ++index) {
            const PhoneNumberDesc &source = desc_of(*metadata, index);
            CompiledDesc &desc = check->descs[index];
            desc.possible_lengths.assign(source.possible_length().begin(), source.possible_length().end());
            if (source.national_number_pattern().empty()) {
                continue;
            }
            // As the library's IcuRegExp compiles it: from UTF-8, no flags.
            UParseError parse_error;
            UErrorCode status = U_ZERO_ERROR;
            desc.pattern.reset(icu::RegexPattern::compile(
                icu::UnicodeString::fromUTF8(source.national_number_pattern()), 0, parse_error, status));
            if (U_FAILURE(status) || !desc.pattern) {
                return &uncovered_;
            }
        }
        if (!agrees_with_library(*check, country_code, *metadata)) {
            return &uncovered_;
        }
        // Kept for the life of the process (see RegionCheck).
        return check.release();
    }

    const PhoneMetadata *find_metadata(const std::string &region, int32_t country_code) {
        if (!collection_) {
            auto parsed = std::make_unique<PhoneMetadataCollection>();
            if (!parsed->ParseFromArray(i18n::phonenumbers::metadata_get(),
                                        i18n::phonenumbers::metadata_size())) {
                return nullptr;
            }
            collection_ = std::move(parsed);
        }
        for (const PhoneMetadata &metadata : collection_->metadata()) {
            if (metadata.id() == region && metadata.country_code() == country_code) {
                return &metadata;
            }
        }
        return nullptr;
    }

    std::mutex lock_;
    std::unique_ptr<PhoneMetadataCollection> collection_;
    std::array<std::atomic<const RegionCheck *>, 1000> built_{};
    RegionCheck uncovered_;
};

Registry &registry() {
    // Never destroyed: threads' matchers point into it until they exit.
    static Registry *const shared = new Registry();
    return *shared;
}

}  // namespace

clpn_validity check_validity(int32_t country_code, uint64_t national_number) {
    const RegionCheck *check = registry().check_for(country_code);
    if (check == nullptr) {
        return CLPN_VALIDITY_ASK_LIBRARY;
    }
    return decide(*check, matchers_for(*check), national_number);
}

}  // namespace clpn
