import Foundation

/// Writes refused rows to a CSV file: the original columns plus `reason`, RFC 4180 quoting.
public final class RejectsWriter {
    private let handle: FileHandle
    private var buffer = Data()

    /// Creates (or replaces) the file at `url`.
    public init(url: URL) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw ImportMappingError(message: "cannot create the rejects file \(url.path)")
        }
        handle = try FileHandle(forWritingTo: url)
    }

    func writeHeader(_ header: [String]) throws {
        try line(header + ["reason"])
    }

    func write(row: Row, reason: String) throws {
        try line(row.fields + ["row \(row.number): \(reason)"])
    }

    private func line(_ fields: [String]) throws {
        let text = fields.map { field in
            field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
        }.joined(separator: ",") + "\r\n"
        buffer.append(Data(text.utf8))
        if buffer.count > 1 << 16 { try flush() }
    }

    private func flush() throws {
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws {
        try flush()
        try handle.close()
    }
}
