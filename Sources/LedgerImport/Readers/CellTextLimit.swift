/// Tells whether a workbook cell's text is within `ImportLimits.cellCharacters`, and cuts it to
/// that when it is not, so that an oversized cell costs a bounded amount of memory.
///
/// Excel counts a cell's characters in UTF-16 units. A string of at most that many UTF-8 bytes is
/// never longer in UTF-16 units, so short cells (nearly all) are judged by their byte count alone.
enum CellTextLimit {
    /// The most characters a cell may have.
    static let characters = ImportLimits.cellCharacters

    /// The most UTF-8 bytes of a cell's text as written in the XML, before `_xHHHH_` escapes are
    /// decoded: seven bytes per character when every character is escaped. Text beyond this is
    /// over the limit whatever it decodes to, and is not kept.
    static let rawBytes = 7 * characters

    /// Whether `text` has more characters than a cell may.
    static func isOver(_ text: String) -> Bool {
        text.utf8.count > characters && text.utf16.count > characters
    }

    /// `text` cut to at most `characters` UTF-16 units, at a scalar boundary.
    static func prefix(_ text: String) -> String {
        guard isOver(text) else { return text }
        return String(prefix(text, limit: characters, width: UTF16.width))
    }

    /// The longest start of `text` whose scalars' `width`s add up to at most `limit`.
    static func prefix(_ text: String, limit: Int, width: (Unicode.Scalar) -> Int) -> Substring {
        var used = 0
        var end = text.unicodeScalars.startIndex
        for scalar in text.unicodeScalars {
            used += width(scalar)
            guard used <= limit else { break }
            end = text.unicodeScalars.index(after: end)
        }
        return text[..<end]
    }

    /// Appends `piece` to `text` while `text` stays within `rawBytes`; returns false, having kept
    /// what fits, once it would not.
    static func append(_ piece: String, to text: inout String) -> Bool {
        if text.utf8.count + piece.utf8.count <= rawBytes {
            if text.isEmpty { text = piece } else { text += piece }
            return true
        }
        text += prefix(piece, limit: rawBytes - text.utf8.count, width: UTF8.width)
        return false
    }
}
