import Foundation
import Glibc
import LedgerDomain

/// Writes refused rows to a CSV file: the original columns plus `reason`, RFC 4180 quoting.
///
/// The file is never the import's own input (it would be truncated), and a failed write stops the
/// import with an error naming the file rather than leaving it silently incomplete.
public final class RejectsWriter {
    private let descriptor: Int32
    /// The path as the user gave it, for error messages.
    private let path: String
    private var buffer: [UInt8] = []
    private var isClosed = false

    /// Creates (or replaces) the file at `url`, refusing it when it is the same file as `input`
    /// (the same device and inode once links are followed, so a hard or symbolic link counts).
    ///
    /// The file is opened without truncation, compared through its own descriptor, and only then
    /// emptied: nothing is truncated before the check. New files are created 0600, since rejected
    /// rows are personal data.
    public init(url: URL, input: URL) throws {
        path = url.path
        let source = input.withUnsafeFileSystemRepresentation { path in
            path.flatMap { FileStatus(path: $0, followingLinks: true) }
        }
        // O_NONBLOCK so that a FIFO without a reader fails (ENXIO) instead of waiting forever.
        let opened = url.withUnsafeFileSystemRepresentation { path in
            guard let path else { return Int32(-1) }
            return Glibc.open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NONBLOCK | O_NOCTTY, 0o600)
        }
        guard opened >= 0 else {
            throw RejectsFileError(.cannotCreate, path: path, reason: Self.errnoText())
        }
        guard let target = FileStatus(descriptor: opened) else {
            let reason = Self.errnoText()
            Glibc.close(opened)
            throw RejectsFileError(.cannotCreate, path: path, reason: reason)
        }
        if let source, target.isSameFile(as: source) {
            Glibc.close(opened)
            throw RejectsFileError(.sameAsInput, path: path, reason: "")
        }
        // Writes block as usual (a pipe that is full waits for its reader rather than failing).
        _ = fcntl(opened, F_SETFL, fcntl(opened, F_GETFL) & ~O_NONBLOCK)
        // Devices and pipes (/dev/stdout, /dev/null) cannot be truncated and need not be.
        if target.kind == .regular && ftruncate(opened, 0) != 0 {
            let reason = Self.errnoText()
            Glibc.close(opened)
            throw RejectsFileError(.cannotCreate, path: path, reason: reason)
        }
        descriptor = opened
    }

    deinit {
        if !isClosed { Glibc.close(descriptor) }
    }

    /// The header line goes out at once, so that a file that cannot be written (a full disk,
    /// /dev/full) stops the import before its first batch is recorded.
    public func writeHeader(_ header: [String]) throws {
        try line(header + ["reason"])
        try flush()
    }

    /// Writes one refused row with its reason (`row N: …`).
    public func write(row: Row, reason: String) throws {
        try line(row.fields + ["row \(row.number): \(reason)"])
    }

    /// One record, each field written as `CSVField` writes an export's: quoted where needed,
    /// and a field a spreadsheet would run as a formula defused with a leading `'` (OWASP's
    /// advice on CSV injection): a rejects file is opened in a spreadsheet to fix the rows.
    private func line(_ fields: [String]) throws {
        buffer.append(contentsOf: CSVField.record(fields).utf8)
        if buffer.count > 1 << 16 { try flush() }
    }

    private func flush() throws {
        var written = 0
        try buffer.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            while written < raw.count {
                let result = Glibc.write(descriptor, base + written, raw.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    throw RejectsFileError(.writeFailed, path: path, reason: Self.errnoText())
                }
                written += result
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is buffered and closes the file; a failure names it.
    public func close() throws {
        guard !isClosed else { return }
        try flush()
        isClosed = true
        // close(2): "Not checking the return value of close() is a common but nevertheless
        // serious programming error": NFS and quotas report write errors here.
        if Glibc.close(descriptor) != 0 {
            throw RejectsFileError(.writeFailed, path: path, reason: Self.errnoText())
        }
    }

    private static func errnoText() -> String {
        String(cString: strerror(errno))
    }
}
