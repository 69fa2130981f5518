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

    /// Starts inflating `part` of the archive at `location` on a new thread and returns the queue it fills.
    static func start(_ part: XLSXPart, in location: XLSXLocation) -> BlockingQueue<Message> {
        let queue = BlockingQueue<Message>(capacity: capacity)
        let thread = Thread {
            produce(part, in: location, into: queue)
        }
        thread.name = "ledger-import-unzip"
        thread.start()
        return queue
    }

    private struct Stopped: Error {}

    private static func produce(_ part: XLSXPart, in location: XLSXLocation, into queue: BlockingQueue<Message>) {
        let fileName = location.fileName
        defer { queue.finish() }
        do {
            // This thread's own archive handle: it must not share the opener's FILE*.
            let archive = try XLSXArchive(location)
            guard let entry = archive.entry(part.path) else {
                throw ImportFileError(
                    .invalidWorkbook, file: fileName, field: "archive entry \(part.path)",
                    reason: "the part disappeared while reading; the file changed during import")
            }
            var produced: UInt64 = 0
            let checksum = try archive.extract(entry, bufferSize: chunkSize) { data in
                produced += UInt64(data.count)
                if produced > part.declaredSize {
                    throw location.unsafe(
                        part, "this part declares \(part.declaredSize) bytes but unpacks to more")
                }
                guard queue.push(.bytes(data)) else { throw Stopped() }
            }
            if produced != part.declaredSize {
                throw location.unsafe(
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
