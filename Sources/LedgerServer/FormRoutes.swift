import Foundation
import LedgerContacts
import LedgerDomain
import LedgerForms
import LedgerStore

/// What the server needs for forms (issue 19): the intake, the pages, and the public URL
/// links in mails and pages start with.
public struct FormRoutes: Sendable {
    /// Takes submissions through the contact service.
    public let intake: FormIntake
    /// The hosted pages.
    public let pages: FormPages
    /// The URL the server is reached at from outside, e.g. `https://forms.example.com` (no
    /// trailing slash): the start of confirmation and unsubscribe links.
    public let publicURL: String

    /// Forms on `intake`, reached at `publicURL`.
    public init(intake: FormIntake, publicURL: String) {
        self.intake = intake
        pages = FormPages()
        var url = publicURL
        while url.hasSuffix("/") { url.removeLast() }
        self.publicURL = url
    }

    /// A confirmation link for `token`.
    public func confirmLink(_ token: DoiToken) -> String {
        publicURL + "/confirm?token=" + token.signed(with: intake.key)
    }

    /// An unsubscribe link for `token`.
    public func unsubscribeLink(_ token: DoiToken) -> String {
        publicURL + "/unsubscribe?token=" + token.signed(with: intake.key)
    }
}

/// `application/x-www-form-urlencoded` bodies and query strings.
enum URLEncodedForm {
    /// The pairs of `text`, `+` read as a space and percent escapes decoded; the first of a
    /// repeated name wins; nil when an escape is malformed.
    static func parse(_ text: String) -> [String: String]? {
        var values = [String: String]()
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]) else { return nil }
            guard let value = parts.count > 1 ? decode(parts[1]) : "" else { return nil }
            if values[name] == nil { values[name] = value }
        }
        return values
    }

    private static func decode(_ part: Substring) -> String? {
        part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
