import Foundation

/// Standard output gathered into large writes, so that streaming millions of lines (an
/// export) costs a system call per chunk rather than per line, while memory stays bounded.
struct BufferedOutput {
    /// Bytes gathered before they are written out.
    static let chunkSize = 1 << 16

    private var buffer: [UInt8] = []
    private let handle: FileHandle

    /// A buffer in front of standard output.
    init(handle: FileHandle = .standardOutput) {
        self.handle = handle
        buffer.reserveCapacity(Self.chunkSize + 4096)
    }

    /// Adds `text`, writing out the buffer once it holds a chunk.
    mutating func write(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= Self.chunkSize { try flush() }
    }

    /// Writes out whatever is buffered. Call it once the last line is added.
    mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
