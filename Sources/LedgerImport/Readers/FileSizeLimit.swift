import Foundation

/// The largest contact file the importer accepts, and the check that refuses a bigger one before
/// any of it is read.
public struct FileSizeLimit: Sendable, Equatable {
    /// The product limit: 300 MB (300 MiB), about 2.5 million rows of a typical 7-column export.
    public static let standard = FileSizeLimit(maxBytes: 300 * 1024 * 1024)

    /// Files strictly larger than this many bytes are refused.
    public let maxBytes: Int64

    /// Creates a limit of `maxBytes` bytes.
    public init(maxBytes: Int64) {
        self.maxBytes = maxBytes
    }

    /// Throws `fileTooLarge` when the file at `url` is over the limit, `notRegularFile` when the
    /// path (links followed) is not a regular file, `unreadable` when it cannot be opened; returns
    /// the file's size otherwise.
    ///
    /// The size is the one of the file the path resolves to (`fstat` of an opened descriptor), so
    /// a symbolic link to a large file is measured as that file, not as the link.
    @discardableResult
    public func check(_ url: URL) throws -> Int64 {
        try FileByteReader(url: url, sizeLimit: self).size
    }

    /// Throws `fileTooLarge` when `size` bytes are over the limit; `file` names the file.
    func check(size: Int64, file: String) throws {
        guard size <= maxBytes else {
            throw ImportFileError(
                .fileTooLarge, file: file,
                reason: "the file is \(Self.megabytes(size)) MB, over the \(Self.megabytes(maxBytes)) MB limit; "
                    + "split it into several smaller files or delete columns that are not needed, "
                    + "then import each file")
        }
    }

    /// Whole megabytes (MiB), rounded up so that "301 MB" never reads as within a 300 MB limit.
    private static func megabytes(_ bytes: Int64) -> Int64 {
        (bytes + 1024 * 1024 - 1) / (1024 * 1024)
    }
}
