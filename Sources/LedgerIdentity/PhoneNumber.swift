/// A phone number in E.164 form (`+380671234567`): the identity key for phone matching.
///
/// Values only come out of `PhoneNormalizer`, so every `PhoneNumber` was valid for
/// libphonenumber when it was made, and equal numbers have equal text.
public struct PhoneNumber: Hashable, Sendable {
    /// The number as `+`, the country calling code and the national number, digits only.
    public let e164: String

    // Internal: only the normaliser, which has checked the text, builds these.
    init(checkedE164 e164: String) {
        self.e164 = e164
    }
}
