import Foundation

/// A file opened the way the contact importer opens its input (a regular file within the size
/// limit, read from the descriptor that was checked), for importers that read bytes of their
/// own formats (push tokens' JSON, gzip).
public final class CheckedFile {
    private let reader: FileByteReader

    /// Opens and checks `url`; throws `ImportFileError` as `TabularFile.open` does.
    public init(url: URL, sizeLimit: FileSizeLimit = .standard) throws {
        reader = try FileByteReader(url: url, sizeLimit: sizeLimit)
    }

    /// The file's name, for messages.
    public var fileName: String { reader.fileName }
    /// Its size in bytes when it was opened.
    public var size: Int64 { reader.size }

    /// Appends up to `count` bytes to `buffer`, fewer only at the end; returns how many.
    @discardableResult
    public func read(upTo count: Int, appendingTo buffer: inout [UInt8]) throws -> Int {
        try reader.read(upTo: count, appendingTo: &buffer)
    }

    /// Up to `count` bytes from `offset`, without moving the sequential position.
    public func read(at offset: Int64, upTo count: Int) throws -> [UInt8] {
        try reader.read(at: offset, upTo: count)
    }
}
