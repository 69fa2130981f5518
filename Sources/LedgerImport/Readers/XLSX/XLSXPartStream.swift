import Foundation
import ZIPFoundation

/// Streams one part of an .xlsx through a bounded queue: a producer thread inflates the entry with
/// ZIPFoundation (which pushes chunks to a closure), and the consumer reads them through an
/// `InputStream` that `XMLParser(stream:)` pulls from. Only `capacity` chunks of 64 KiB are ever
/// in memory, whatever the size of the part.
///
/// While inflating, the producer counts the bytes: a part that unpacks to more than its declared
/// size is refused at that moment, not after the fact.
enum XLSXPartStream {
    /// A piece of the part, or the reason the producer stopped.
    enum Message: Sendable {
        case bytes(Data)
        case failure(ImportFileError)
    }

    /// How many 64 KiB chunks the producer may run ahead of the parser.
    static let capacity = 4
    static let chunkSize = 64 * 1024

    /// Starts inflating `part` of `archive` on a new thread and returns the queue it fills.
    static func start(_ part: XLSXPart, of archive: XLSXArchive) -> BlockingQueue<Message> {
        let queue = BlockingQueue<Message>(capacity: capacity)
        let url = archive.url
        let fileName = archive.fileName
        let limits = archive.limits
        let thread = Thread {
            produce(part, url: url, fileName: fileName, limits: limits, into: queue)
        }
        thread.name = "ledger-import-unzip"
        thread.start()
        return queue
    }

    private struct Stopped: Error {}

    private static func produce(
        _ part: XLSXPart, url: URL, fileName: String, limits: ArchiveLimits, into queue: BlockingQueue<Message>
    ) {
        defer { queue.finish() }
        do {
            // A second archive handle: this thread must not share the opener's FILE*.
            let archive = try XLSXArchive(url: url, limits: limits)
            guard let entry = archive.entry(part.path) else {
                throw ImportFileError(
                    .invalidWorkbook, file: fileName, field: "archive entry \(part.path)",
                    reason: "the part disappeared while reading; the file changed during import")
            }
            var produced: UInt64 = 0
            let checksum = try archive.extract(entry, bufferSize: chunkSize) { data in
                produced += UInt64(data.count)
                if produced > part.declaredSize {
                    throw archive.unsafe(
                        part, "this part declares \(part.declaredSize) bytes but unpacks to more")
                }
                guard queue.push(.bytes(data)) else { throw Stopped() }
            }
            if produced != part.declaredSize {
                throw archive.unsafe(
                    part, "this part declares \(part.declaredSize) bytes but unpacks to \(produced)")
            }
            if checksum != part.checksum {
                throw ImportFileError(
                    .invalidWorkbook, file: fileName, field: "archive entry \(part.path)",
                    reason: "the part fails its CRC-32 check; the file is damaged — save it again from Excel")
            }
        } catch is Stopped {
            return
        } catch let error as ImportFileError {
            _ = queue.push(.failure(error))
        } catch {
            _ = queue.push(
                .failure(
                    ImportFileError(
                        .invalidWorkbook, file: fileName, field: "archive entry \(part.path)",
                        reason: "the part cannot be unpacked; the file is damaged — save it again from Excel",
                        cause: error)))
        }
    }
}
