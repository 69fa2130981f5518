import Foundation

/// Writes to standard output and standard error that report a failure instead of stopping the
/// process: `FileHandle.write(_: Data)` traps when the write fails (a full disk behind a
/// redirected stream, a closed pipe), which took a running server down with the log line it
/// could not write (docs/benchmarks.md, session 13).
enum StandardStream {
    /// Writes all of `text` to `descriptor`, retrying interrupted and partial writes; returns
    /// the `errno` of a write that failed (the rest is dropped), nil when all was written.
    @discardableResult
    static func write(_ text: String, to descriptor: Int32) -> Int32? {
        var text = text
        return text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return nil
        }
    }

    /// Writes `text` to standard output; when it cannot be written, says so on standard error
    /// and exits with `ExitStatus.ioError` (74), so that a command's output is never silently
    /// cut short.
    static func output(_ text: String) {
        guard let failure = write(text, to: STDOUT_FILENO) else { return }
        write("ledger: cannot write to standard output: \(String(cString: strerror(failure)))\n", to: STDERR_FILENO)
        exit(ExitStatus.ioError.rawValue)
    }
}
