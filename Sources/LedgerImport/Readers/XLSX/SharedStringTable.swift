/// A workbook's shared-strings table, held compactly: the UTF-8 bytes of every string in one
/// arena and where each string ends, so each costs its bytes plus four, and a `String` is built
/// only when a cell asks for one.
///
/// A table of Swift strings cost ~80 bytes per entry beyond the text (an object per string over 15
/// bytes, plus the array slot): some 250 MB for the 3 million e-mails and phones of a 2-million-row
/// contact base, where this holds about 90 MB.
///
/// Everything it holds is bounded: at most `maxStrings` strings and `maxBytes` of text (beyond
/// either, the workbook is refused), and no string longer than a cell may be: a longer one is kept
/// cut to the cell limit and marked, so that the cells using it make their rows rejected.
struct SharedStringTable: Sendable {
    /// The strings' UTF-8 bytes, back to back.
    private var bytes: [UInt8] = []
    /// `ends[i]` is where string `i` ends in `bytes`; it starts where string `i - 1` ends.
    private var ends: [UInt32] = []
    /// Strings cut to the cell limit (almost always none).
    private var overlong: Set<Int> = []
    /// Whether text of the string being built was dropped past `CellTextLimit.rawBytes`.
    private var currentIsCut = false
    /// Whether text was dropped because the table would pass `maxBytes`.
    private var isOverfull = false

    /// The most strings the table holds.
    let maxStrings: Int
    /// The most bytes of text the table holds (offsets are 32-bit, so at most 4 GiB).
    let maxBytes: Int

    /// An empty table holding at most `maxStrings` strings and `maxBytes` bytes of text.
    init(maxStrings: Int = ImportLimits.sharedStrings, maxBytes: Int = ImportLimits.sharedStringBytes) {
        self.maxStrings = maxStrings
        self.maxBytes = min(maxBytes, Int(UInt32.max))
    }

    /// The number of strings.
    var count: Int { ends.count }

    /// The bytes of text held.
    var byteCount: Int { bytes.count }

    /// Reserves room for the text of a shared-strings part of `partBytes` unpacked bytes (its
    /// text is shorter than the part), up to `maxBytes`. Growing the arena instead would copy it each
    /// time it doubles, holding old and new copies at once; reserved pages that are never written
    /// take no memory.
    mutating func reserveCapacity(forPartBytes partBytes: UInt64) {
        let capacity = Int(min(partBytes, UInt64(maxBytes)))
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

    /// Whether string `index` was cut to the cell limit.
    func isOverlong(_ index: Int) -> Bool {
        !overlong.isEmpty && overlong.contains(index)
    }

    /// Appends `text` to the string being built (the one after the last `endString()`), as far
    /// as the string stays within `CellTextLimit.rawBytes` and the table within `maxBytes`.
    mutating func appendToCurrent(_ text: String) {
        guard !currentIsCut, !isOverfull else { return }
        let start = ends.last.map(Int.init) ?? 0
        var piece = Substring(text)
        if bytes.count - start + text.utf8.count > CellTextLimit.rawBytes {
            piece = CellTextLimit.prefix(text, limit: CellTextLimit.rawBytes - (bytes.count - start), width: UTF8.width)
            currentIsCut = true
        }
        guard bytes.count + piece.utf8.count <= maxBytes else {
            isOverfull = true
            return
        }
        bytes.append(contentsOf: piece.utf8)
    }

    /// Drops the text of the string being built, if any (text outside `<si>` belongs to no entry).
    mutating func discardCurrent() {
        let start = ends.last.map(Int.init) ?? 0
        if bytes.count > start { bytes.removeSubrange(start...) }
        currentIsCut = false
    }

    /// Ends the string being built, decoding its `_xHHHH_` escapes and cutting it to the cell
    /// limit; false when the table would pass `maxStrings` or `maxBytes` (`hasTooMuchText` then says
    /// which), in which case the string is dropped.
    mutating func endString() -> Bool {
        let start = ends.last.map(Int.init) ?? 0
        defer { currentIsCut = false }
        guard !isOverfull, ends.count < maxStrings else {
            bytes.removeSubrange(start...)
            return false
        }
        let length = bytes.count - start
        if currentIsCut || length > CellTextLimit.characters || Self.hasEscapeMarker(bytes[start...]) {
            let text = String(decoding: bytes[start...], as: UTF8.self)
            let decoded = SpreadsheetText.decodingEscapes(text)
            let isOver = currentIsCut || CellTextLimit.isOver(decoded)
            if isOver || decoded.utf8.count != length {
                bytes.removeSubrange(start...)
                bytes.append(contentsOf: CellTextLimit.prefix(decoded).utf8)
            }
            if isOver { overlong.insert(ends.count) }
        }
        ends.append(UInt32(bytes.count))
        return true
    }

    /// Whether text was dropped past `maxBytes`: which limit a failed `endString()` met, when not `maxStrings`.
    var hasTooMuchText: Bool { isOverfull }

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
