/// Reads `sharedStrings.xml` into a table indexed like the `t="s"` cells that refer to it.
///
/// The part is streamed, but the table itself has to stay in memory: cells refer to entries in any
/// order. It is kept as one byte arena (`SharedStringTable`), bounded by `ImportLimits.sharedStrings`
/// entries and `ImportLimits.sharedStringBytes` of text: a workbook over either is refused, naming
/// the limit. Text goes straight into the arena as it arrives, so no `String` is built per entry.
final class SharedStringsHandler: XMLPartHandler {
    private(set) var table = SharedStringTable()
    private let fileName: String
    private let path: String
    private var capturing = false
    private var inPhonetic = false

    /// A handler for the part at `path` of `fileName`, which unpacks to `partBytes`.
    init(fileName: String, path: String, partBytes: UInt64) {
        self.fileName = fileName
        self.path = path
        table.reserveCapacity(forPartBytes: partBytes)
    }

    func didStart(_ name: String, attributes: [String: String]) throws {
        switch name {
        case "si": table.discardCurrent()
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
        case "si":
            guard table.endString() else {
                let limit = table.hasTooMuchText
                    ? "\(table.maxBytes / (1024 * 1024)) MiB of text"
                    : "\(RowProblem.grouped(table.maxStrings)) strings"
                throw ImportFileError(
                    .invalidWorkbook, file: fileName, field: "archive entry \(path)",
                    reason: "the shared strings hold more than \(limit), the most an import takes; "
                        + "split the workbook or save it as CSV")
            }
        default: break
        }
    }

    func foundText(_ text: String) {
        if capturing { table.appendToCurrent(text) }
    }
}
