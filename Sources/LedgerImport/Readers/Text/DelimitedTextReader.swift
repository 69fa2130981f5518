import Foundation

/// Reads .csv and .txt contact files: detects the encoding and delimiter, then streams records.
///
/// Row numbers count records, header = 1; a quoted value spanning lines is one row, and blank lines
/// are skipped without taking a number (see `Row`). A row whose field count differs from the
/// header's is returned as read, with `Row.problem` set.
public final class DelimitedTextReader: TabularSource {
    /// Always `.delimitedText`.
    public let format = FileFormat.delimitedText
    /// The encoding the text was decoded from, detected or as named in the options.
    public let encoding: String
    /// The field delimiter, detected or as named in the options (comma for a one-column file).
    public let delimiter: Delimiter
    /// The first non-blank record.
    public private(set) var header: Row

    private let parser: CSVRecordParser
    private let source: UTF8ChunkSource
    private let validatesUTF8: Bool
    private let fileSize: Int64

    /// File bytes consumed by the rows read so far, of the file's size.
    public var progress: ReadProgress {
        ReadProgress(consumed: source.fileOffset(ofTextPosition: parser.position), total: fileSize)
    }

    /// Opens `url`; `chunkSize` is how much is read at a time (small values let tests cross chunk
    /// boundaries everywhere).
    convenience init(url: URL, options: ReadOptions, chunkSize: Int = 1024 * 1024) throws {
        try self.init(reader: FileByteReader(url: url, sizeLimit: options.sizeLimit), options: options, chunkSize: chunkSize)
    }

    /// Reads the text of an opened file from its start.
    init(reader: FileByteReader, options: ReadOptions, chunkSize: Int = 1024 * 1024) throws {
        fileSize = reader.size
        var first: [UInt8] = []
        let firstSize = max(chunkSize, TextEncodingChoice.sampleSize)
        let firstIsWholeFile = try reader.read(upTo: firstSize, appendingTo: &first) < firstSize
        let choice: TextEncodingChoice
        if let name = options.encoding {
            try TextEncodingChoice.checkNamed(name, prefix: first, file: reader.fileName)
            choice = .named(name, prefix: first)
        } else {
            choice = try TextEncodingChoice.detect(
                prefix: first, prefixIsWholeFile: firstIsWholeFile,
                readAt: { try reader.read(at: $0, upTo: $1) })
        }
        source = try UTF8ChunkSource(
            reader: reader, firstChunk: first, firstChunkIsWholeFile: firstIsWholeFile,
            encoding: choice, chunkSize: chunkSize)
        var text: [UInt8] = []
        _ = try source.next(into: &text)
        try Self.refuseMarkup(text, file: reader.fileName)
        encoding = choice.name
        delimiter =
            options.delimiter
            ?? Delimiter.detect(in: Array(text.prefix(TextEncodingChoice.sampleSize)), isWholeFile: source.isFinished)
            ?? .comma
        validatesUTF8 = choice.iconvName == nil
        parser = CSVRecordParser(
            source: source, firstChunk: text, delimiter: delimiter.rawValue, maxRecordBytes: options.maxRecordBytes)
        header = Row(number: 0, fields: [])
        guard let first = try readRecord(expectedFields: nil) else {
            throw ImportFileError(.empty, file: reader.fileName, reason: "the file has no rows, not even a header")
        }
        header = first
    }

    /// The next record after the header, or nil at the end of the file.
    public func nextRow() throws -> Row? {
        try readRecord(expectedFields: header.fields.count)
    }

    private func readRecord(expectedFields: Int?) throws -> Row? {
        guard try parser.next() else { return nil }
        let number = parser.recordCount
        let ends = parser.fieldEnds
        var fields: [String] = []
        fields.reserveCapacity(ends.count)
        var problem: RowProblem?
        parser.bytes.withUnsafeBufferPointer { bytes in
            var start = 0
            for end in ends {
                fields.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self))
                start = end
            }
            if parser.highBits & 0x80 != 0 && !decodedCleanly(bytes) {
                problem = .undecodableText(row: number, encoding: encoding)
            }
        }
        if problem == nil, let expectedFields, ends.count != expectedFields {
            problem = .fieldCount(row: number, found: ends.count, expected: expectedFields)
        }
        return Row(number: number, fields: fields, problem: problem)
    }

    /// Pass-through UTF-8 must be validated; converted text is valid UTF-8 by construction, but
    /// contains U+FFFD (EF BF BD) where iconv met bytes invalid in the source encoding.
    private func decodedCleanly(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if validatesUTF8 { return UTF8Validation.validate(bytes) == .valid }
        guard source.substitutions > 0 else { return true }
        let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]
        return !bytes.indices.contains { index in
            bytes[index...].starts(with: replacement)
        }
    }

    /// Refuses HTML or XML saved under a spreadsheet name, which some systems export as ".xls".
    private static func refuseMarkup(_ text: [UInt8], file: String) throws {
        let head = String(decoding: text.prefix(512), as: UTF8.self)
            .drop { $0.isWhitespace }
            .lowercased()
        let markers = ["<html", "<!doctype html", "<?xml", "<table"]
        guard markers.contains(where: { head.hasPrefix($0) }) else { return }
        throw ImportFileError(
            .unsupportedContent, file: file,
            reason: "the file is an HTML or XML document, not a spreadsheet or CSV file; "
                + "open it in Excel or LibreOffice and save it as .xlsx or .csv")
    }
}
