/// Reads `styles.xml` far enough to know which cell styles display numbers as dates or times.
final class StylesHandler: XMLPartHandler {
    private var customFormats: [Int: String] = [:]
    private var formatIDs: [Int] = []
    private var inCellFormats = false

    /// For each cell style index (a cell's `s` attribute), how its number is shown.
    var kinds: [CellNumberKind] {
        formatIDs.map { CellNumberKind(formatID: $0, formatCode: customFormats[$0]) }
    }

    func didStart(_ name: String, attributes: [String: String]) throws {
        switch name {
        case "numFmt":
            if let id = attributes.xmlAttribute("numFmtId").flatMap({ Int($0) }) {
                customFormats[id] = attributes.xmlAttribute("formatCode") ?? ""
            }
        case "cellXfs":
            inCellFormats = true
        case "xf" where inCellFormats:
            // Only <cellXfs> matters: cells point into it; <cellStyleXfs> are named-style masters.
            formatIDs.append(attributes.xmlAttribute("numFmtId").flatMap { Int($0) } ?? 0)
        default:
            break
        }
    }

    func didEnd(_ name: String) throws {
        if name == "cellXfs" { inCellFormats = false }
    }

    func foundText(_ text: String) {}
}
