/// The encoding a text file is decoded from, as detected or as named by the caller.
struct TextEncodingChoice: Equatable, Sendable {
    /// The name reported to the user (`UTF-8`, `UTF-16LE`, `windows-1251`, or the caller's name).
    let name: String
    /// The iconv name to convert from, or nil when the bytes are UTF-8 already and pass through.
    let iconvName: String?
    /// Bytes of byte-order mark at the start of the file, skipped before decoding.
    let bomLength: Int

    static let utf8 = TextEncodingChoice(name: "UTF-8", iconvName: nil, bomLength: 0)
    static let windows1251 = TextEncodingChoice(name: "windows-1251", iconvName: "WINDOWS-1251", bomLength: 0)

    /// The caller's encoding name; any spelling of UTF-8 takes the no-conversion path.
    static func named(_ name: String, prefix: [UInt8]) -> TextEncodingChoice {
        let squeezed = name.uppercased().filter { $0 != "-" && $0 != "_" }
        if squeezed == "UTF8" {
            return TextEncodingChoice(
                name: "UTF-8", iconvName: nil, bomLength: prefix.starts(with: utf8BOM) ? utf8BOM.count : 0)
        }
        // A UTF-16 file named as such may still start with its mark, which is not text.
        let marked = fromByteOrderMark(prefix)
        let bomLength = marked.map { $0.name.hasPrefix("UTF-16") && $0.name.filter { $0 != "-" } == squeezed ? $0.bomLength : 0 } ?? 0
        return TextEncodingChoice(name: name, iconvName: name, bomLength: bomLength)
    }

    static let utf8BOM: [UInt8] = [0xEF, 0xBB, 0xBF]
}
