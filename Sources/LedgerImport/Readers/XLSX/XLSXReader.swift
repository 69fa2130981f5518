import Foundation

/// Reads an .xlsx contact file, streaming the chosen sheet so memory stays flat however long it is.
///
/// The sheet is parsed on a background thread (XMLParser pushes events, this API pulls rows) that
/// runs at most a few hundred rows ahead; `nextRow()` blocks until the next rows are ready, so call
/// it from a thread that may block, not from a task on the cooperative pool's few threads without care.
/// Row numbers are the sheet's own; rows without values are skipped. A data row whose number is
/// malformed, out of range or not above the row before comes with a problem (`SheetHandler`); a
/// header row with such a number makes the sheet unreadable.
public final class XLSXReader: TabularSource {
    /// Always `.xlsx`.
    public let format = FileFormat.xlsx
    /// SpreadsheetML text is Unicode; values are reported as decoded from UTF-8.
    public let encoding = "UTF-8"
    /// The names of all sheets, in tab order.
    public let sheetNames: [String]
    /// The name of the sheet being read.
    public let sheetName: String
    /// The first row of the sheet that has a value.
    public private(set) var header: Row

    private let queue: BlockingQueue<SheetStream.Message>
    private var batch: [Row] = []
    private var batchIndex = 0
    private var shape = SpreadsheetRowShape(headerWidth: 0)
    private var consumed: Int64 = 0
    private let sheetSize: Int64

    /// Uncompressed bytes of the sheet's XML part parsed, of its declared size. The parser runs a
    /// few hundred rows ahead of `nextRow()`, so this leads by at most that much.
    public var progress: ReadProgress {
        ReadProgress(consumed: consumed, total: sheetSize)
    }

    init(url: URL, options: ReadOptions) throws {
        let archive = try XLSXArchive(XLSXLocation(url: url, limits: options.archiveLimits))
        let layout = try WorkbookLayout.read(from: archive)
        sheetNames = layout.sheets.map(\.name)
        guard layout.sheets.indices.contains(options.sheet - 1) else {
            throw ImportFileError(
                .sheetNotFound, file: archive.fileName,
                reason: "sheet \(options.sheet) was requested but the workbook has \(layout.sheets.count)")
        }
        let sheet = layout.sheets[options.sheet - 1]
        sheetName = sheet.name
        guard let sheetPart = try archive.part(sheet.path) else {
            throw ImportFileError(
                .invalidWorkbook, file: archive.fileName,
                reason: "the part of sheet \(options.sheet) is missing; the file is damaged — save it again from Excel")
        }
        sheetSize = Int64(clamping: sheetPart.declaredSize)
        var styles: [CellNumberKind] = []
        if let path = layout.stylesPath, let part = try archive.part(path) {
            let handler = StylesHandler()
            try XMLPartParser.parse(part, in: archive.location, into: handler)
            styles = handler.kinds
        }
        var sharedStrings = SharedStringTable()
        if let path = layout.sharedStringsPath, let part = try archive.part(path) {
            let handler = SharedStringsHandler(fileName: archive.fileName, path: path, partBytes: part.declaredSize)
            try XMLPartParser.parse(part, in: archive.location, into: handler)
            sharedStrings = handler.table
        }
        queue = SheetStream.start(
            sheetPart, in: archive.location,
            context: SheetStream.Context(
                sharedStrings: sharedStrings, styles: styles, uses1904Dates: layout.uses1904Dates))
        header = Row(number: 0, fields: [])
        guard let first = try nextParsedRow() else {
            throw ImportFileError(
                .empty, file: archive.fileName, reason: "sheet \(ValuePreview.quoted(sheet.name)) has no rows, not even a header")
        }
        if let problem = first.problem {
            throw ImportFileError(.malformedXML, file: archive.fileName, reason: "the header row: " + problem.message)
        }
        header = first
        shape = SpreadsheetRowShape(headerWidth: first.fields.count)
    }

    deinit {
        // Stops the parser and unzip threads if the caller did not read to the end.
        queue.close()
    }

    /// The next row with a value after the header, or nil at the end of the sheet.
    public func nextRow() throws -> Row? {
        try nextParsedRow().map(shape.apply)
    }

    private func nextParsedRow() throws -> Row? {
        while batchIndex == batch.count {
            switch queue.pop() {
            case .rows(let rows, let consumed)?:
                batch = rows
                batchIndex = 0
                self.consumed = consumed
            case .failure(let error)?:
                throw error
            case nil:
                consumed = sheetSize
                return nil
            }
        }
        defer { batchIndex += 1 }
        return batch[batchIndex]
    }
}
