/// An e-mail address that passed validation, trimmed and lower-cased: the identity key for e-mail matching.
///
/// Accepts the everyday form `local@domain.tld` in ASCII: the local part may use
/// RFC 5322 "atext" and single dots; the domain is dot-separated labels of
/// letters, digits and inner hyphens (punycode `xn--` for internationalised
/// names). Quoted local parts, IP-literal domains and non-ASCII addresses are
/// refused, as no contact source here produces them on purpose.
public struct EmailAddress: Hashable, Sendable {
    /// The address as `local@domain`, lower-case ASCII.
    public let value: String
    /// Where the `@` is in `value`, in UTF-8 bytes, so the parts need no second search.
    private let atOffset: Int

    /// Validates and normalises `text` (trims whitespace, lower-cases), or throws why it is not an address.
    public init(validating text: String) throws(EmailAddressError) {
        let checked = try text.withUTF8Bytes { bytes in Self.validate(bytes, text: text) }.get()
        self.value = checked.value
        self.atOffset = checked.atOffset
    }

    /// The part before the `@`.
    public var localPart: Substring {
        value[..<atIndex]
    }

    /// The part after the `@`.
    public var domain: Substring {
        value[value.utf8.index(after: atIndex)...]
    }

    private var atIndex: String.Index {
        value.utf8.index(value.utf8.startIndex, offsetBy: atOffset)
    }
}
