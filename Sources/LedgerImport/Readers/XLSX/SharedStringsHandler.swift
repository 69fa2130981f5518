/// Reads `sharedStrings.xml` into an array indexed like the `t="s"` cells that refer to it.
///
/// The part is streamed, but the table itself has to stay in memory: cells refer to entries in any
/// order. Its size is bounded by `ArchiveLimits.maxPartBytes`.
final class SharedStringsHandler: XMLPartHandler {
    private(set) var strings: [String] = []
    private var current = ""
    private var capturing = false
    private var inPhonetic = false

    func didStart(_ name: String, attributes: [String: String]) throws {
        switch name {
        case "si": current = ""
        case "t": capturing = !inPhonetic
        // <rPh> holds phonetic guides (furigana) that Excel does not display as cell text.
        case "rPh": inPhonetic = true
        default: break
        }
    }

    func didEnd(_ name: String) throws {
        switch name {
        case "t": capturing = false
        case "rPh": inPhonetic = false
        case "si": strings.append(SpreadsheetText.decodingEscapes(current))
        default: break
        }
    }

    func foundText(_ text: String) {
        if capturing { current += text }
    }
}
