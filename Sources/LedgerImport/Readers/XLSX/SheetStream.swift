import Foundation

/// Parses a worksheet part on its own thread and delivers rows in batches through a bounded queue,
/// turning XMLParser's push of events into the pull of `TabularSource.nextRow()`.
enum SheetStream {
    /// A batch of rows, or why parsing stopped.
    enum Message: Sendable {
        /// Rows, and the uncompressed bytes of the part parsed when the last of them ended.
        case rows([Row], consumed: Int64)
        case failure(ImportFileError)
    }

    /// What the sheet parser needs from the rest of the workbook.
    struct Context: Sendable {
        let sharedStrings: SharedStringTable
        let styles: [CellNumberKind]
        let uses1904Dates: Bool
    }

    /// Rows per message: large enough that locking is rare, small enough to keep memory flat.
    static let batchSize = 256
    /// Bytes of text that end a message early: rows may hold up to 1 MiB each
    /// (`ImportLimits.rowBytes`), and 256 of those in each queued batch would not be flat.
    static let batchBytes = 4 << 20
    /// Batches the parser may run ahead of the reader.
    static let capacity = 4

    private struct Stopped: Error {}

    /// Starts parsing `part` of the archive at `location` on a new thread and returns the queue it fills.
    static func start(_ part: XLSXPart, in location: XLSXLocation, context: Context) -> BlockingQueue<Message> {
        let queue = BlockingQueue<Message>(capacity: capacity)
        let thread = Thread {
            defer { queue.finish() }
            do {
                var batch: [Row] = []
                var bytes = 0
                batch.reserveCapacity(batchSize)
                let consumed = ByteCount()
                let handler = SheetHandler(
                    fileName: location.fileName, sharedStrings: context.sharedStrings, styles: context.styles,
                    uses1904Dates: context.uses1904Dates
                ) { row in
                    batch.append(row)
                    bytes += row.fields.reduce(0) { $0 + $1.utf8.count }
                    if batch.count == batchSize || bytes >= batchBytes {
                        guard queue.push(.rows(batch, consumed: consumed.value)) else { throw Stopped() }
                        batch.removeAll(keepingCapacity: true)
                        bytes = 0
                    }
                }
                try XMLPartParser.parse(part, in: location, into: handler, counting: consumed)
                if !batch.isEmpty { _ = queue.push(.rows(batch, consumed: consumed.value)) }
            } catch is Stopped {
                return
            } catch let error as ImportFileError {
                _ = queue.push(.failure(error))
            } catch {
                _ = queue.push(
                    .failure(
                        ImportFileError(
                            .invalidWorkbook, file: location.fileName,
                            reason: "the sheet cannot be read; the file is damaged — save it again from Excel",
                            cause: error)))
            }
        }
        thread.name = "ledger-import-sheet"
        thread.start()
        return queue
    }
}
