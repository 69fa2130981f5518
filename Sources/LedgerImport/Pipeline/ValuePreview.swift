/// How rejection messages show a value: a short start of it, never the whole, since values are
/// personal data and a hostile file's value may be megabytes long (a 4 MB workbook once printed a
/// 400 MB message).
enum ValuePreview {
    /// Unicode scalars shown at most; counted in scalars, not Characters, so that a value of one
    /// letter and a million combining marks is cut too.
    static let characters = 40
    /// The longest rejection reason kept, whatever produced it.
    static let reasonCharacters = 1_000

    /// `value` in double quotes, cut after `characters` scalars with "…".
    static func quoted(_ value: String) -> String {
        "\"" + shortened(value, to: characters) + "\""
    }

    /// `text` cut after `limit` scalars with "…", or unchanged when it is no longer.
    static func shortened(_ text: String, to limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        var scalars = text.unicodeScalars.prefix(limit + 1)
        guard scalars.count > limit else { return text }
        scalars.removeLast()
        return String(String.UnicodeScalarView(scalars)) + "…"
    }

    /// A rejection reason bounded to `reasonCharacters`: a net under every message that reaches
    /// the summary or the rejects file, should one quote more than it should.
    static func reason(_ text: String) -> String {
        shortened(text, to: reasonCharacters)
    }
}
