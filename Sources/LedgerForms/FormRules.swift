import Foundation
import LedgerDomain

/// The rules a form definition must meet before it is recorded; the CLI and every other door
/// build definitions through `FormRules.check`.
public enum FormRules {
    /// The longest form name.
    public static let maximumNameLength = 64
    /// The standard fields a form may ask for, beside `email` and `phone`.
    public static let standardKeys = StandardField.allCases.map(\.name)
    /// The longest consent wording.
    public static let maximumConsentLength = 4_000
    /// The longest mail template.
    public static let maximumTemplateLength = 20_000

    /// Checks a form name: 1 to 64 of a-z, 0-9, `-` and `_`, starting with a letter or digit.
    public static func check(name: String) throws(FormError) {
        let allowed = name.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x5F }
        guard !name.isEmpty, name.utf8.count <= maximumNameLength, allowed, let first = name.utf8.first, first != 0x2D, first != 0x5F else {
            throw FormError(.invalidDefinition, "a form name is 1 to \(maximumNameLength) characters of a-z, 0-9, '-' and '_', starting with a letter or digit")
        }
    }

    /// The fields of a `--fields email,firstName,phone,city` list: each a known standard field,
    /// `email`, `phone`, or a custom field name; `email` required when present (the e-mail is
    /// what double opt-in confirms), the rest optional, labels from the key.
    public static func fields(parsing list: String) throws(FormError) -> [FormField] {
        var fields = [FormField]()
        for raw in list.split(separator: ",", omittingEmptySubsequences: false) {
            var key = raw.trimmingCharacters(in: .whitespaces)
            var required = false
            if key.hasSuffix("*") {
                required = true
                key.removeLast()
            }
            guard !key.isEmpty, key.count <= 64, key.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-" }) else {
                throw FormError(.invalidDefinition, "--fields: '\(key)' is not a field name (letters, digits, '_' and '-', at most 64)")
            }
            guard !fields.contains(where: { $0.key == key }) else {
                throw FormError(.invalidDefinition, "--fields names \(key) twice")
            }
            fields.append(FormField(key: key, label: label(for: key), required: required || key == "email"))
        }
        guard fields.contains(where: { $0.key == "email" || $0.key == "phone" }) else {
            throw FormError(.invalidDefinition, "--fields must include email or phone: a contact is found by one of them")
        }
        return fields
    }

    /// A readable label for a field key: `firstName` → `First name`.
    public static func label(for key: String) -> String {
        switch key {
        case "email": return "E-mail"
        case "phone": return "Phone"
        default:
            var words = ""
            for character in key {
                if character == "_" || character == "-" {
                    words += " "
                } else if character.isUppercase, !words.isEmpty {
                    words += " " + character.lowercased()
                } else {
                    words.append(character)
                }
            }
            return words.prefix(1).uppercased() + words.dropFirst()
        }
    }

    /// Checks a whole definition; the first problem is the error.
    public static func check(_ definition: FormDefinition) throws(FormError) {
        try check(name: definition.name)
        guard !definition.fields.isEmpty else { throw FormError(.invalidDefinition, "a form needs at least one field") }
        if definition.doubleOptIn, !definition.fields.contains(where: { $0.key == "email" }) {
            throw FormError(.invalidDefinition, "double opt-in confirms by e-mail: the form needs an email field")
        }
        guard definition.title.count <= 200 else { throw FormError(.invalidDefinition, "the title is longer than 200 characters") }
        guard definition.consentText.count <= maximumConsentLength else {
            throw FormError(.invalidDefinition, "the consent text is longer than \(maximumConsentLength) characters")
        }
        guard !definition.purpose.isEmpty, definition.purpose.count <= 64 else { throw FormError(.invalidDefinition, "the purpose is 1 to 64 characters") }
        for segment in definition.segments where segment.isEmpty || segment.count > 200 {
            throw FormError(.invalidDefinition, "a segment name is 1 to 200 characters")
        }
        if let redirect = definition.redirectURL { try checkURL(redirect, what: "--redirect") }
        for origin in definition.allowedOrigins { try checkOrigin(origin) }
        for template in [definition.mailSubject, definition.mailText, definition.mailHTML] where template.count > maximumTemplateLength {
            throw FormError(.invalidDefinition, "a mail template is longer than \(maximumTemplateLength) characters")
        }
        guard !definition.mailSubject.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw FormError(.invalidDefinition, "the mail subject is one line, without control characters")
        }
        guard !definition.title.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw FormError(.invalidDefinition, "the title is one line, without control characters")
        }
        guard definition.tokenLifetimeHours >= 1, definition.tokenLifetimeHours <= 24 * 90 else {
            throw FormError(.invalidDefinition, "a confirmation link lives 1 hour to 90 days")
        }
        let keys = Set(definition.fields.map(\.key))
        for (from, to) in definition.wixFieldMap where !keys.contains(to) {
            throw FormError(.invalidDefinition, "--wix-map \(from)=\(to): the form has no field \(to)")
        }
    }

    /// An absolute http(s) URL with a host and no white space or control characters.
    public static func checkURL(_ text: String, what: String) throws(FormError) {
        guard text.count <= 2_000, !text.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F }),
              let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http", url.host != nil
        else {
            throw FormError(.invalidDefinition, "\(what) must be an absolute http or https URL")
        }
    }

    /// An origin: `https://host[:port]`, nothing after it.
    public static func checkOrigin(_ text: String) throws(FormError) {
        try checkURL(text, what: "--allow-origin")
        guard let url = URL(string: text), url.path.isEmpty || url.path == "/", url.query == nil, url.fragment == nil, !text.hasSuffix("/") else {
            throw FormError(.invalidDefinition, "--allow-origin \(text) must be an origin: scheme, host and port only, e.g. https://shop.example.com")
        }
    }
}
