/// The payload primitives beyond the envelope's: optional strings, booleans, signed varints,
/// stored codes, stream numbers.
extension BinaryReader {
    /// Reads a presence byte and, when it is 1, a string.
    mutating func readOptionalString(_ what: StaticString) throws(BinaryFormatError) -> String? {
        guard try readBool(what) else { return nil }
        return try readString(what)
    }

    /// Reads a byte that must be 0 or 1.
    mutating func readBool(_ what: StaticString) throws(BinaryFormatError) -> Bool {
        let byte = try readUInt8(what)
        guard byte <= 1 else { throw BinaryFormatError(offset: offset - 1, what: "\(what) (flag \(byte))") }
        return byte == 1
    }

    /// Reads a zigzag varint (small negative numbers stay short, as for dates before 1970).
    mutating func readSignedVarint(_ what: StaticString) throws(BinaryFormatError) -> Int64 {
        let raw = try readVarint(what)
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    /// Reads the stored byte of a closed set of values.
    mutating func readCode<Code: StoredCode>(_ what: StaticString) throws(BinaryFormatError) -> Code {
        let byte = try readUInt8(what)
        guard let code = Code(code: byte) else {
            throw BinaryFormatError(offset: offset - 1, what: "\(what) (unknown code \(byte))")
        }
        return code
    }

    /// Reads a stream number, which is never 0.
    mutating func readStream(_ what: StaticString) throws(BinaryFormatError) -> StreamID {
        let start = offset
        let number = try readVarint(what)
        guard number != 0 else { throw BinaryFormatError(offset: start, what: "\(what) (stream 0)") }
        return StreamID(number)
    }
}
