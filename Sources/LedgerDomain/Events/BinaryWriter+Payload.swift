/// The payload primitives beyond the envelope's; the mirror of `BinaryReader+Payload`.
extension BinaryWriter {
    /// Writes a presence byte and, when there is one, the string.
    mutating func writeOptionalString(_ string: String?) {
        writeBool(string != nil)
        if let string { writeString(string) }
    }

    /// Writes 1 or 0.
    mutating func writeBool(_ value: Bool) {
        write(UInt8(value ? 1 : 0))
    }

    /// Writes a zigzag varint.
    mutating func writeSignedVarint(_ value: Int64) {
        writeVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// Writes the stored byte of a closed set of values.
    mutating func writeCode(_ value: some StoredCode) {
        write(value.code)
    }

    /// Writes a stream number.
    mutating func writeStream(_ stream: StreamID) {
        writeVarint(stream.rawValue)
    }
}
