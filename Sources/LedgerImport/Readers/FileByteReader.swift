import Foundation

// Linux only, like the rest of the importer (FreeXL and iconv come from Debian packages).
import Glibc

/// Sequential reads from a file descriptor into caller-owned buffers.
///
/// Plain `read(2)` rather than `FileHandle`, because the hot path reads 300 MB in 1 MiB chunks and
/// should not allocate a `Data` per chunk.
///
/// Opening is also where a contact file is vetted: the descriptor is opened once, `fstat` tells
/// the kind and size of the very file it refers to (links followed), and the reads come from that
/// same descriptor, so the file that passed the checks is the file that is read.
final class FileByteReader {
    private let descriptor: Int32
    /// The file's name for error messages.
    let fileName: String
    /// The file's size in bytes when it was opened.
    let size: Int64

    /// Opens `url` for reading; refuses anything that is not a regular file (after following
    /// links) and, when `sizeLimit` is given, a file over it, before reading a byte.
    init(url: URL, sizeLimit: FileSizeLimit? = nil) throws {
        let name = url.lastPathComponent
        // O_NONBLOCK: opening a FIFO for reading otherwise waits for a writer, so the check below
        // would never be reached. It changes nothing for the regular files that pass the check
        // ("O_NONBLOCK ... has no effect for regular files and block devices", open(2)).
        let opened = url.withUnsafeFileSystemRepresentation { path in
            guard let path else { return Int32(-1) }
            return Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        }
        guard opened >= 0 else {
            throw ImportFileError(.unreadable, file: name, reason: Self.openFailure(errno))
        }
        guard let status = FileStatus(descriptor: opened) else {
            let reason = "the file cannot be examined (\(Self.errnoText()))"
            close(opened)
            throw ImportFileError(.unreadable, file: name, reason: reason)
        }
        do {
            try Self.refuseIrregular(status.kind, url: url, file: name)
            try sizeLimit?.check(size: status.size, file: name)
        } catch {
            close(opened)
            throw error
        }
        descriptor = opened
        fileName = name
        size = status.size
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

    /// Only regular files are read: a device such as /dev/zero or /dev/urandom never ends, a FIFO
    /// or socket may never end or block forever, and a directory has no rows. The message says
    /// what the path is, and that it is a link when the path itself is one.
    private static func refuseIrregular(_ kind: FileStatus.Kind, url: URL, file: String) throws {
        let description: String
        switch kind {
        case .regular: return
        case .directory:
            throw ImportFileError(
                .notRegularFile, file: file, reason: "this is a directory, not a file; name the contact file inside it")
        case .characterDevice: description = "a character device (like /dev/zero, /dev/urandom or a terminal)"
        case .blockDevice: description = "a block device (a disk)"
        case .fifo: description = "a named pipe (FIFO)"
        case .socket: description = "a socket"
        case .symbolicLink, .other: description = "not a regular file"
        }
        let isLink = url.withUnsafeFileSystemRepresentation { path in
            path.flatMap { FileStatus(path: $0, followingLinks: false) }?.kind == .symbolicLink
        }
        throw ImportFileError(
            .notRegularFile, file: file,
            reason: (isLink ? "this is a symbolic link to " : "this is ") + description
                + ", not a regular file; only regular files are imported — save the data to a file first")
    }

    /// Why `open(2)` failed, in words a user can act on.
    private static func openFailure(_ code: Int32) -> String {
        switch code {
        case ENOENT: "the file does not exist"
        case EACCES, EPERM: "permission denied: the file cannot be read by this user"
        default: "the file cannot be opened (\(String(cString: strerror(code))))"
        }
    }

    private static func errnoText() -> String {
        String(cString: strerror(errno))
    }
}
