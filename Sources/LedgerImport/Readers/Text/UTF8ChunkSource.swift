/// A text file as a sequence of UTF-8 chunks: bytes pass through when the file is UTF-8, and go
/// through iconv otherwise. A byte-order mark is never part of the output.
final class UTF8ChunkSource {
    private let reader: FileByteReader
    private let transcoder: IconvTranscoder?
    private let chunkSize: Int
    /// The bytes already read for detection, handed out (after the BOM) by the first `next` call.
    private var firstChunk: [UInt8]?
    private var raw: [UInt8] = []
    private var atStart = true
    private var reachedEnd = false

    /// The file's name for error messages.
    var fileName: String { reader.fileName }
    /// Whether the last chunk has been handed out.
    var isFinished: Bool { reachedEnd && firstChunk == nil }
    /// Invalid sequences that iconv replaced with U+FFFD so far (always 0 for pass-through UTF-8).
    var substitutions: Int { transcoder?.substitutions ?? 0 }

    /// Continues reading `reader` after `firstChunk`, decoding with `encoding`.
    /// `firstChunkIsWholeFile` says whether the reader is already at the end.
    init(
        reader: FileByteReader, firstChunk: [UInt8], firstChunkIsWholeFile: Bool,
        encoding: TextEncodingChoice, chunkSize: Int
    ) throws {
        self.reader = reader
        self.chunkSize = chunkSize
        self.firstChunk = Array(firstChunk.dropFirst(encoding.bomLength))
        self.reachedEnd = firstChunkIsWholeFile
        if let iconvName = encoding.iconvName {
            guard let transcoder = IconvTranscoder(from: iconvName) else {
                throw ImportFileError(
                    .unknownEncoding, file: reader.fileName,
                    reason: "the text encoding \"\(iconvName)\" is not known; use a name such as "
                        + "UTF-8, UTF-16LE, windows-1251, KOI8-U or CP866")
            }
            self.transcoder = transcoder
        } else {
            self.transcoder = nil
        }
    }

    /// Replaces the contents of `buffer` with the next UTF-8 chunk (possibly empty); false at the end.
    func next(into buffer: inout [UInt8]) throws -> Bool {
        buffer.removeAll(keepingCapacity: true)
        let isLast: Bool
        if let first = firstChunk {
            firstChunk = nil
            raw = first
            isLast = reachedEnd
        } else {
            guard !reachedEnd else { return false }
            raw.removeAll(keepingCapacity: true)
            let got = try reader.read(upTo: chunkSize, appendingTo: &raw)
            isLast = got < chunkSize
            reachedEnd = isLast
        }
        if let transcoder {
            raw.withUnsafeBufferPointer { transcoder.convert($0, isLast: isLast, appendingTo: &buffer) }
        } else {
            swap(&raw, &buffer)
        }
        if atStart {
            atStart = false
            // A BOM left after conversion (an explicitly named UTF-16 file, say) is not text.
            if buffer.starts(with: TextEncodingChoice.utf8BOM) { buffer.removeFirst(3) }
        }
        return true
    }
}
