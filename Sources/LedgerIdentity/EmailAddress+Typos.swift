extension EmailAddress {
    /// Misspelt domains of big mail providers, each with its one obvious fix.
    ///
    /// The only place typos are listed. An entry must be unambiguous: a domain
    /// nobody really receives mail at, one edit away from exactly one provider.
    /// So `gmail.co` is absent (.co is a live TLD and the name is not Google's
    /// to judge here), as is anything under `i.ua`: its likely slips (`i.au`,
    /// `l.ua`) are real or plausible domains of their own.
    static let domainTypos: [String: String] = [
        // gmail.com
        "gmail.con": "gmail.com", "gmail.cm": "gmail.com", "gmail.om": "gmail.com",
        "gmail.cmo": "gmail.com", "gmail.comm": "gmail.com", "gmail.vom": "gmail.com",
        "gmail.xom": "gmail.com", "gmai.com": "gmail.com", "gmial.com": "gmail.com",
        "gmaill.com": "gmail.com", "gamil.com": "gmail.com", "gnail.com": "gmail.com",
        "gmal.com": "gmail.com", "gmil.com": "gmail.com",
        // yahoo.com
        "yahooo.com": "yahoo.com", "yaho.com": "yahoo.com", "yahoo.con": "yahoo.com",
        "yahoo.cm": "yahoo.com",
        // hotmail.com
        "hotmial.com": "hotmail.com", "hotmai.com": "hotmail.com", "hotmil.com": "hotmail.com",
        "hotmal.com": "hotmail.com", "hotmail.con": "hotmail.com", "hotmail.cm": "hotmail.com",
        // outlook.com, icloud.com
        "outlok.com": "outlook.com", "outlook.con": "outlook.com",
        "icloud.con": "icloud.com", "icoud.com": "icloud.com",
        // ukr.net: ".nte", ".ner" and ".nt" are no TLDs; ".ne" (Niger) is, so it is left out.
        "ukr.nte": "ukr.net", "ukr.ner": "ukr.net", "ukr.nt": "ukr.net",
        // mail.ru, yandex.ru: ".ry" is no TLD.
        "mail.ry": "mail.ru", "yandex.ry": "yandex.ru",
    ]

    /// Length of the longest entry, so most domains skip the lookup.
    static let longestDomainTypo = domainTypos.keys.map(\.utf8.count).max() ?? 0

    /// A `likelyTypo` error with the fixed address when the domain of `value` is a known misspelling.
    static func checkTypo(_ value: String, atOffset: Int, shown: () -> String) -> EmailAddressError? {
        let at = value.utf8.index(value.utf8.startIndex, offsetBy: atOffset)
        let domain = value[value.utf8.index(after: at)...]
        guard domain.utf8.count <= longestDomainTypo, let fix = domainTypos[String(domain)] else {
            return nil
        }
        let suggestion = String(value[...at]) + fix
        return EmailAddressError(
            code: .likelyTypo,
            message: "'\(shown())' looks like a typo: did you mean '\(suggestion)'?",
            suggestion: suggestion
        )
    }
}
