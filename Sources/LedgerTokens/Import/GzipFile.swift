import CGzip
import Foundation
import Glibc
import LedgerImport

/// Inflates a gzip-compressed export (OneSignal delivers its CSV as `.csv.gz`) into a private
/// temporary file, which the ordinary readers then read with every check they make.
///
/// The output is held to the same size limit as an uncompressed file (a small file that
/// inflates without end is refused when it passes the limit, not after filling the disk), and
/// a damaged or truncated stream is an error naming the file.
public final class GzipFile {
    /// The inflated file; removed by `remove()`.
    public let url: URL
    private let directory: String

    /// Whether `prefix` (the file's first bytes) starts a gzip stream (RFC 1952 §2.3.1: 1f 8b).
    public static func isGzip(_ prefix: [UInt8]) -> Bool {
        prefix.count >= 2 && prefix[0] == 0x1F && prefix[1] == 0x8B
    }

    /// Inflates `input` into a new file under the temporary directory, named as `input`
    /// without `.gz`.
    public init(inflating input: CheckedFile, limit: FileSizeLimit) throws {
        var template = Array((NSTemporaryDirectory() + "/ledger-gunzip-XXXXXX").utf8CString)
        guard let base = template.withUnsafeMutableBufferPointer({ $0.baseAddress.flatMap { mkdtemp($0) } }) else {
            throw ImportFileError(.unreadable, file: input.fileName, reason: "no temporary directory to inflate it into (\(String(cString: strerror(errno))))")
        }
        directory = String(cString: base)
        var name = input.fileName
        if name.lowercased().hasSuffix(".gz") { name.removeLast(3) }
        url = URL(fileURLWithPath: directory).appendingPathComponent(name.isEmpty ? "inflated" : name)
        do {
            try Self.inflate(input, into: url, limit: limit)
        } catch {
            remove()
            throw error
        }
    }

    /// Removes the inflated file and its directory.
    public func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private static func inflate(_ input: CheckedFile, into url: URL, limit: FileSizeLimit) throws {
        let descriptor = url.withUnsafeFileSystemRepresentation { path in
            path.map { Glibc.open($0, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600) } ?? -1
        }
        guard descriptor >= 0 else {
            throw ImportFileError(.unreadable, file: input.fileName, reason: "cannot create the file to inflate it into (\(String(cString: strerror(errno))))")
        }
        defer { Glibc.close(descriptor) }
        var stream = z_stream()
        guard cgzip_inflate_init(&stream) == Z_OK else {
            throw ImportFileError(.unreadable, file: input.fileName, reason: "zlib could not start inflating")
        }
        defer { inflateEnd(&stream) }
        var compressed = [UInt8]()
        compressed.reserveCapacity(1 << 20)
        var output = [UInt8](repeating: 0, count: 1 << 20)
        var written: Int64 = 0
        var ended = false
        func damaged(_ what: String) -> ImportFileError {
            ImportFileError(.unsupportedContent, file: input.fileName, reason: "the gzip data is damaged (\(what)); download the export again")
        }
        while true {
            compressed.removeAll(keepingCapacity: true)
            let count = try input.read(upTo: 1 << 20, appendingTo: &compressed)
            if count == 0 { break }
            var offset = 0
            while offset < compressed.count {
                if ended {
                    // Another member follows (RFC 1952 allows several): start it afresh.
                    guard inflateReset(&stream) == Z_OK else { throw damaged("a second member") }
                    ended = false
                }
                let result: Int32 = compressed.withUnsafeMutableBufferPointer { input in
                    output.withUnsafeMutableBufferPointer { out in
                        stream.next_in = input.baseAddress.map { $0 + offset }
                        stream.avail_in = UInt32(input.count - offset)
                        stream.next_out = out.baseAddress
                        stream.avail_out = UInt32(out.count)
                        return CGzip.inflate(&stream, Z_NO_FLUSH)
                    }
                }
                offset = compressed.count - Int(stream.avail_in)
                let produced = output.count - Int(stream.avail_out)
                switch result {
                case Z_OK, Z_BUF_ERROR: break
                case Z_STREAM_END: ended = true
                case Z_DATA_ERROR: throw damaged(stream.msg.map { String(cString: $0) } ?? "bad data")
                case Z_MEM_ERROR: throw ImportFileError(.unreadable, file: input.fileName, reason: "out of memory while inflating it")
                default: throw damaged("zlib status \(result)")
                }
                written += Int64(produced)
                if written > limit.maxBytes {
                    throw ImportFileError(
                        .fileTooLarge, file: input.fileName,
                        reason: "it inflates to more than the \(limit.maxBytes / (1024 * 1024)) MB an import reads; split the export")
                }
                try write(output.prefix(produced), to: descriptor, file: input.fileName)
                if result == Z_BUF_ERROR && produced == 0 { break }
            }
        }
        guard ended else { throw damaged("it ends before the end of the compressed stream") }
    }

    private static func write(_ bytes: ArraySlice<UInt8>, to descriptor: Int32, file: String) throws {
        var done = 0
        try bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            while done < raw.count {
                let result = Glibc.write(descriptor, base + done, raw.count - done)
                if result < 0 {
                    if errno == EINTR { continue }
                    throw ImportFileError(.unreadable, file: file, reason: "cannot write the inflated file (\(String(cString: strerror(errno))))")
                }
                done += result
            }
        }
    }
}
