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
    /// File bytes before the raw chunk the last handed-out text came from (a BOM included).
    private var chunkFileStart: Int64 = 0
    /// File bytes of that raw chunk.
    private var chunkFileBytes: Int64 = 0
    /// UTF-8 bytes that chunk became.
    private var chunkTextBytes: Int64 = 0
    private let bomLength: Int

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
        self.bomLength = min(encoding.bomLength, firstChunk.count)
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
            // The BOM is consumed before any text.
            chunkFileStart = Int64(bomLength)
            chunkFileBytes = Int64(first.count)
        } else {
            guard !reachedEnd else { return false }
            raw.removeAll(keepingCapacity: true)
            let got = try reader.read(upTo: chunkSize, appendingTo: &raw)
            isLast = got < chunkSize
            reachedEnd = isLast
            chunkFileStart += chunkFileBytes
            chunkFileBytes = Int64(got)
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
        chunkTextBytes = Int64(buffer.count)
        return true
    }

    /// The file offset that byte `position` of the last handed-out text came from: exact for
    /// UTF-8 passed through, proportional within the chunk for converted text.
    func fileOffset(ofTextPosition position: Int) -> Int64 {
        guard chunkTextBytes > 0 else { return chunkFileStart + chunkFileBytes }
        return chunkFileStart + chunkFileBytes - (chunkTextBytes - Int64(position)) * chunkFileBytes / chunkTextBytes
    }
}
