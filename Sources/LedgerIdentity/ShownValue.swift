/// How identity errors quote the text they were given: its first 40 Unicode scalars, then "…".
/// Messages reach import summaries and logs; a value may be personal data and megabytes long.
enum ShownValue {
    /// Unicode scalars quoted at most.
    static let characters = 40

    /// `text` cut after `characters` scalars with "…", or unchanged when it is no longer.
    static func prefix(_ text: String) -> String {
        guard text.utf8.count > characters else { return text }
        var scalars = text.unicodeScalars.prefix(characters + 1)
        guard scalars.count > characters else { return text }
        scalars.removeLast()
        return String(String.UnicodeScalarView(scalars)) + "…"
    }
}
