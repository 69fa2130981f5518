import LedgerDomain

/// Reads a tags cell (issue 20: Mailchimp's `TAGS`) into static segment names: tags separated
/// by commas, each bare or in double quotes (`"VIP","Spring 2024"`, a doubled `""` inside quotes
/// for a quote), spaces around them dropped, empty ones and repeats skipped.
enum TagCell {
    /// The most tags one cell may carry: as many segments as `--segment` may name.
    static let limit = ImportLimits.segments

    /// The tags of `raw`, each checked as a segment name; a malformed cell or a tag that is no
    /// segment name is a `ConsentCellError`-like reason (the converter names the column).
    static func tags(_ raw: String) throws(TagCellError) -> [String] {
        var tags = [String]()
        var current = ""
        var quoted = false
        var wasQuoted = false
        var characters = Array(raw)[...]
        func finish() throws(TagCellError) {
            let tag = wasQuoted ? current : current.trimmingWhitespace
            current = ""
            wasQuoted = false
            guard !tag.isEmpty, !tags.contains(tag) else { return }
            do {
                try ContactFieldRules().validate(ContactEvent.segmentMemberAdded(SegmentMembership(segment: tag)))
            } catch {
                throw TagCellError("has a tag that is not a segment name (\(error))")
            }
            tags.append(tag)
            guard tags.count <= limit else { throw TagCellError("has more than \(limit) tags") }
        }
        while let character = characters.popFirst() {
            if quoted {
                if character == "\"" {
                    if characters.first == "\"" {
                        characters.removeFirst()
                        current.append("\"")
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(character)
                }
            } else if character == "\"" && current.allSatisfy(\.isWhitespace) {
                quoted = true
                wasQuoted = true
                current = ""
            } else if character == "," {
                try finish()
            } else if wasQuoted {
                // Only spaces may follow a closing quote before the next comma.
                guard character.isWhitespace else { throw TagCellError("has text after a closing quote") }
            } else {
                current.append(character)
            }
        }
        guard !quoted else { throw TagCellError("has a quote that is not closed") }
        try finish()
        return tags
    }
}

/// Why a tags cell was refused; the converter adds the column.
struct TagCellError: Error {
    let reason: String

    init(_ reason: String) {
        self.reason = reason
    }
}
