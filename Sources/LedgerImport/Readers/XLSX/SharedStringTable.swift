/// A workbook's shared-strings table, held compactly: the UTF-8 bytes of every string in one
/// arena and where each string ends, so each costs its bytes plus four, and a `String` is built
/// only when a cell asks for one.
///
/// A table of Swift strings cost ~80 bytes per entry beyond the text (an object per string over 15
/// bytes, plus the array slot): some 250 MB for the 3 million e-mails and phones of a 2-million-row
/// contact base, where this holds about 90 MB.
struct SharedStringTable: Sendable {
    /// The strings' UTF-8 bytes, back to back.
    private var bytes: [UInt8] = []
    /// `ends[i]` is where string `i` ends in `bytes`; it starts where string `i - 1` ends.
    private var ends: [UInt32] = []

    /// The most bytes of text the table can hold (offsets are 32-bit).
    static let maxBytes = Int(UInt32.max)

    /// The number of strings.
    var count: Int { ends.count }

    /// The bytes of text held.
    var byteCount: Int { bytes.count }

    /// Reserves room for the text of a shared-strings part of `partBytes` unpacked bytes (its
    /// text is shorter than the part), up to 512 MiB. Growing the arena instead would copy it each
    /// time it doubles, holding old and new copies at once; reserved pages that are never written
    /// take no memory.
    mutating func reserveCapacity(forPartBytes partBytes: UInt64) {
        let capacity = Int(min(partBytes, 512 * 1024 * 1024))
        bytes.reserveCapacity(capacity)
        // An entry takes at least 16 bytes of XML (`<si><t>x</t></si>`) unless it is empty.
        ends.reserveCapacity(capacity / 16)
    }

    /// The string at `index`, or nil when the table has no such entry.
    subscript(index: Int) -> String? {
        guard index >= 0, index < ends.count else { return nil }
        let start = index == 0 ? 0 : Int(ends[index - 1])
        let end = Int(ends[index])
        return bytes.withUnsafeBufferPointer { buffer in
            String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<end]), as: UTF8.self)
        }
    }

    /// Appends `text` to the string being built (the one after the last `endString()`).
    mutating func appendToCurrent(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    /// Drops the text of the string being built, if any (text outside `<si>` belongs to no entry).
    mutating func discardCurrent() {
        let start = ends.last.map(Int.init) ?? 0
        if bytes.count > start { bytes.removeSubrange(start...) }
    }

    /// Ends the string being built, decoding its `_xHHHH_` escapes; false when the table would
    /// pass `maxBytes`, in which case the string is dropped.
    mutating func endString() -> Bool {
        let start = ends.last.map(Int.init) ?? 0
        if Self.hasEscapeMarker(bytes[start...]) {
            let decoded = SpreadsheetText.decodingEscapes(String(decoding: bytes[start...], as: UTF8.self))
            bytes.removeSubrange(start...)
            bytes.append(contentsOf: decoded.utf8)
        }
        guard bytes.count <= Self.maxBytes else {
            bytes.removeSubrange(start...)
            return false
        }
        ends.append(UInt32(bytes.count))
        return true
    }

    /// Appends `text` as a whole string; false when the table is full (see `endString()`).
    mutating func append(_ text: String) -> Bool {
        appendToCurrent(text)
        return endString()
    }

    /// Whether `text` contains `_x`, the start of every escape.
    private static func hasEscapeMarker(_ text: ArraySlice<UInt8>) -> Bool {
        var previous: UInt8 = 0
        for byte in text {
            if previous == UInt8(ascii: "_") && byte == UInt8(ascii: "x") { return true }
            previous = byte
        }
        return false
    }
}
