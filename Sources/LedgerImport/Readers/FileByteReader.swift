import Foundation

// Linux only, like the rest of the importer (FreeXL and iconv come from Debian packages).
import Glibc

/// Sequential reads from a file descriptor into caller-owned buffers.
///
/// Plain `read(2)` rather than `FileHandle`, because the hot path reads 300 MB in 1 MiB chunks and
/// should not allocate a `Data` per chunk.
final class FileByteReader {
    private let descriptor: Int32
    /// The file's name for error messages.
    let fileName: String
    /// The file's size in bytes when it was opened (0 if it cannot be told).
    let size: Int64

    init(url: URL) throws {
        fileName = url.lastPathComponent
        descriptor = url.withUnsafeFileSystemRepresentation { path in
            guard let path else { return -1 }
            return Glibc.open(path, O_RDONLY | O_CLOEXEC)
        }
        guard descriptor >= 0 else {
            throw ImportFileError(
                .unreadable, file: fileName, reason: "the file cannot be opened (\(Self.errnoText()))")
        }
        // Seeking to the end tells the size without stat's platform-specific struct; back to 0 after.
        size = max(0, Int64(lseek(descriptor, 0, SEEK_END)))
        lseek(descriptor, 0, SEEK_SET)
    }

    deinit {
        close(descriptor)
    }



    /// Appends up to `count` bytes to `buffer`, fewer only at the end of the file; returns how many.
    @discardableResult
    func read(upTo count: Int, appendingTo buffer: inout [UInt8]) throws -> Int {
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: count))
        var filled = 0
        try buffer.withUnsafeMutableBytes { raw in
            while filled < count {
                guard let base = raw.baseAddress else { return }
                let got = Glibc.read(descriptor, base + start + filled, count - filled)
                if got == 0 { break }
                if got < 0 {
                    if errno == EINTR { continue }
                    throw ImportFileError(
                        .unreadable, file: fileName, reason: "reading the file failed (\(Self.errnoText()))")
                }
                filled += got
            }
        }
        buffer.removeLast(count - filled)
        return filled
    }

    /// Reads up to `count` bytes at `offset` without moving the sequential position.
    func read(at offset: Int64, upTo count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        try bytes.withUnsafeMutableBytes { raw in
            while filled < count {
                guard let base = raw.baseAddress else { return }
                let got = pread(descriptor, base + filled, count - filled, off_t(offset) + off_t(filled))
                if got == 0 { break }
                if got < 0 {
                    if errno == EINTR { continue }
                    throw ImportFileError(
                        .unreadable, file: fileName, reason: "reading the file failed (\(Self.errnoText()))")
                }
                filled += got
            }
        }
        bytes.removeLast(count - filled)
        return bytes
    }

    private static func errnoText() -> String {
        String(cString: strerror(errno))
    }
}
