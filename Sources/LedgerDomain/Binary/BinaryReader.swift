/// Reads what `BinaryWriter` wrote, checking every length against the end of the buffer.
///
/// It works on borrowed memory (an LMDB value, an array's storage) and never crashes on
/// malformed input: a short or inconsistent buffer is a `BinaryFormatError`.
public struct BinaryReader {
    /// The bytes being read.
    public let buffer: UnsafeRawBufferPointer
    /// The offset of the next byte to read.
    public var offset: Int

    /// Reads `buffer` from `offset`.
    public init(_ buffer: UnsafeRawBufferPointer, offset: Int = 0) {
        self.buffer = buffer
        self.offset = offset
    }

    /// Whether every byte has been read.
    public var isAtEnd: Bool { offset == buffer.count }

    /// Bytes left to read.
    public var remaining: Int { buffer.count - offset }

    @inline(__always)
    private mutating func take(_ count: Int, _ what: StaticString) throws(BinaryFormatError) -> Int {
        guard count >= 0, count <= buffer.count - offset else {
            throw BinaryFormatError(offset: offset, what: what)
        }
        let start = offset
        offset += count
        return start
    }

    /// Reads one byte.
    public mutating func readUInt8(_ what: StaticString = "byte") throws(BinaryFormatError) -> UInt8 {
        buffer[try take(1, what)]
    }

    /// Reads a big-endian UInt16.
    public mutating func readUInt16(_ what: StaticString = "UInt16") throws(BinaryFormatError) -> UInt16 {
        let start = try take(2, what)
        return UInt16(buffer[start]) << 8 | UInt16(buffer[start + 1])
    }

    /// Reads a big-endian UInt64.
    public mutating func readUInt64(_ what: StaticString = "UInt64") throws(BinaryFormatError) -> UInt64 {
        let start = try take(8, what)
        return UInt64(bigEndian: buffer.loadUnaligned(fromByteOffset: start, as: UInt64.self))
    }

    /// Reads a big-endian Int64.
    public mutating func readInt64(_ what: StaticString = "Int64") throws(BinaryFormatError) -> Int64 {
        Int64(bitPattern: try readUInt64(what))
    }

    /// Reads an unsigned LEB128 varint of at most ten bytes.
    public mutating func readVarint(_ what: StaticString = "varint") throws(BinaryFormatError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < buffer.count, shift < 64 else { throw BinaryFormatError(offset: offset, what: what) }
            let byte = buffer[offset]
            offset += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// Reads a varint length and returns the range of the bytes that follow it.
    public mutating func readBytesRange(_ what: StaticString = "bytes") throws(BinaryFormatError) -> Range<Int> {
        let count = try readVarint(what)
        guard count <= UInt64(remaining) else { throw BinaryFormatError(offset: offset, what: what) }
        let start = try take(Int(count), what)
        return start..<(start + Int(count))
    }

    /// Skips `count` bytes and returns their range.
    public mutating func readRawRange(count: Int, _ what: StaticString = "bytes") throws(BinaryFormatError) -> Range<Int> {
        let start = try take(count, what)
        return start..<(start + count)
    }

    /// Reads a varint length and copies out the bytes.
    public mutating func readBytes(_ what: StaticString = "bytes") throws(BinaryFormatError) -> [UInt8] {
        let range = try readBytesRange(what)
        return Array(UnsafeRawBufferPointer(rebasing: buffer[range]))
    }

    /// Reads a varint length and the UTF-8 string after it; invalid UTF-8 is an error.
    public mutating func readString(_ what: StaticString = "string") throws(BinaryFormatError) -> String {
        let range = try readBytesRange(what)
        guard let string = String(validUTF8: UnsafeRawBufferPointer(rebasing: buffer[range])) else {
            throw BinaryFormatError(offset: range.lowerBound, what: what)
        }
        return string
    }
}

/// Stored bytes that do not have the shape their format says.
public struct BinaryFormatError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The offset in the buffer where reading failed.
    public let offset: Int
    /// What was being read.
    public let what: String

    /// Describes a malformed buffer.
    public init(offset: Int, what: StaticString) {
        self.offset = offset
        self.what = "\(what)"
    }

    /// Describes a malformed buffer.
    public init(offset: Int, what: String) {
        self.offset = offset
        self.what = what
    }

    public var description: String { "malformed \(what) at byte \(offset)" }
}
