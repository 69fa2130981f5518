import Foundation

/// The consumer end of an `XLSXPartStream`, shaped as the `InputStream` that `XMLParser(stream:)`
/// pulls from.
///
/// swift-corelibs-foundation's XMLParser only calls `open()`, `read(_:maxLength:)` and `close()` on
/// its stream (XMLParser.parseFrom), so those are what this subclass provides. A producer failure
/// makes `read` return -1, which ends the parse; the error is kept in `failure` for the caller.
///
/// It also refuses a part whose prolog has a document type declaration. Workbook XML never has
/// one, and XMLParser on Linux reports neither entity declarations nor entity text to its delegate,
/// so a DTD would otherwise make values silently vanish (libxml2 itself stops entity expansion bombs).
final class PartInputStream: InputStream {
    private let queue: BlockingQueue<XLSXPartStream.Message>
    private let part: XLSXPart
    private let fileName: String
    private var current = Data()
    private var offset = 0
    private var ended = false
    private var checkedProlog = false
    /// Why reading stopped early, if it did (ZIP-bomb rule, damaged entry, DTD).
    private(set) var failure: ImportFileError?

    private let counting: ByteCount?

    init(queue: BlockingQueue<XLSXPartStream.Message>, part: XLSXPart, fileName: String, counting: ByteCount? = nil) {
        self.queue = queue
        self.part = part
        self.fileName = fileName
        self.counting = counting
        super.init(data: Data())
    }

    override func open() {}

    /// Closing tells the producer to stop, so an abandoned parse does not leave it inflating.
    override func close() {
        queue.close()
    }

    override var hasBytesAvailable: Bool { !ended }

    // XMLParser asks for this after a read of -1; the inherited getter expects a CFReadStream
    // behind the object and traps, so it must be overridden.
    override var streamError: (any Error)? { failure }

    override func read(_ buffer: UnsafeMutablePointer<UInt8>, maxLength length: Int) -> Int {
        while offset == current.count {
            guard !ended else { return 0 }
            switch queue.pop() {
            case .bytes(let data)?:
                current = data
                offset = 0
                if !checkedProlog {
                    checkedProlog = true
                    if Self.declaresDocumentType(data) {
                        failure = ImportFileError(
                            .malformedXML, file: fileName, field: "archive entry \(part.path)",
                            reason: "the part has a document type declaration (DTD), which Excel never "
                                + "writes; the file was not read")
                        ended = true
                        queue.close()
                        return -1
                    }
                }
            case .failure(let error)?:
                failure = error
                ended = true
                return -1
            case nil:
                ended = true
                return 0
            }
        }
        let count = min(length, current.count - offset)
        current.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            UnsafeMutableRawPointer(buffer).copyMemory(from: base + offset, byteCount: count)
        }
        offset += count
        counting?.value += Int64(count)
        return count
    }

    private static let doctype = Data("<!DOCTYPE".utf8)

    /// Whether the prolog (the first 4 KiB is plenty) contains `<!DOCTYPE`.
    private static func declaresDocumentType(_ data: Data) -> Bool {
        data.prefix(4096).range(of: doctype) != nil
    }
}

/// Bytes handed to a parser so far; used by one thread only (the one parsing the part).
final class ByteCount {
    var value: Int64 = 0
}
