/// Appends integers, varints and length-prefixed bytes to a growing buffer.
///
/// The stored formats of the ledger are built with it; every multi-byte integer is
/// big-endian so that a reader on any machine sees the same bytes.
public struct BinaryWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]

    /// Starts an empty buffer with room for `capacity` bytes.
    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Continues after `bytes` (pass the only reference to them, so they are not copied).
    public init(continuing bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Empties the buffer but keeps its memory, for reuse in a loop.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
    }

    /// Lends the buffer to `body`, which may append to it in place (a cipher writing its
    /// output after what was written so far); it must only append.
    public mutating func appending<Result>(_ body: (inout [UInt8]) throws -> Result) rethrows -> Result {
        try body(&bytes)
    }

    /// Writes one byte.
    public mutating func write(_ value: UInt8) {
        bytes.append(value)
    }

    /// Writes a big-endian UInt16.
    public mutating func write(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    /// Writes a big-endian UInt64.
    public mutating func write(_ value: UInt64) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// Writes a big-endian Int64 (two's complement).
    public mutating func write(_ value: Int64) {
        write(UInt64(bitPattern: value))
    }

    /// Writes an unsigned LEB128 varint.
    public mutating func writeVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// Writes raw bytes with no length.
    public mutating func writeRaw<Bytes: Sequence>(_ raw: Bytes) where Bytes.Element == UInt8 {
        bytes.append(contentsOf: raw)
    }

    /// Writes a varint length, then the bytes.
    public mutating func writeBytes<Bytes: Collection>(_ raw: Bytes) where Bytes.Element == UInt8 {
        writeVarint(UInt64(raw.count))
        bytes.append(contentsOf: raw)
    }

    /// Writes a varint length, then the string's UTF-8.
    public mutating func writeString(_ string: String) {
        var string = string
        string.withUTF8 { utf8 in writeBytes(utf8) }
    }
}
