import LedgerDomain

// The mirror of `BinaryWriter+State`; every malformed byte is a BinaryFormatError.
extension BinaryReader {
    /// Reads a byte that must be 0 or 1.
    mutating func readFlag(_ what: StaticString) throws(BinaryFormatError) -> Bool {
        let byte = try readUInt8(what)
        guard byte <= 1 else { throw BinaryFormatError(offset: offset - 1, what: "\(what) (flag \(byte))") }
        return byte == 1
    }

    /// Reads a presence byte and, when it is 1, a string.
    mutating func readOptional(_ what: StaticString) throws(BinaryFormatError) -> String? {
        guard try readFlag(what) else { return nil }
        return try readString(what)
    }

    /// Reads a zigzag varint.
    mutating func readSigned(_ what: StaticString) throws(BinaryFormatError) -> Int64 {
        let raw = try readVarint(what)
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    /// Reads a value's stored byte; an unknown byte is malformed.
    mutating func readCode<Code: StateCode>(state what: StaticString) throws(BinaryFormatError) -> Code {
        let byte = try readUInt8(what)
        guard let code = Code(stateCode: byte) else {
            throw BinaryFormatError(offset: offset - 1, what: "\(what) (unknown code \(byte))")
        }
        return code
    }

    /// Reads an element count. Every element takes at least one byte, so a count beyond the
    /// bytes left is malformed, and a loop over it cannot run long.
    mutating func readCount(_ what: StaticString) throws(BinaryFormatError) -> Int {
        let start = offset
        let count = try readVarint(what)
        guard count <= UInt64(remaining) else { throw BinaryFormatError(offset: start, what: "\(what) (too many)") }
        return Int(count)
    }

    /// Reads a stream number, which is never 0.
    mutating func readStreamID(_ what: StaticString) throws(BinaryFormatError) -> StreamID {
        let start = offset
        let number = try readVarint(what)
        guard number != 0 else { throw BinaryFormatError(offset: start, what: "\(what) (stream 0)") }
        return StreamID(number)
    }

    /// Reads a field value as `BinaryWriter.writeFieldValue` wrote it.
    mutating func readFieldValue(_ what: StaticString) throws(BinaryFormatError) -> FieldValue {
        let type: FieldType = try readCode(state: what)
        let start = offset
        switch type {
        case .text:
            return .text(try readString(what))
        case .number:
            guard let number = DecimalNumber(canonical: try readString(what)) else {
                throw BinaryFormatError(offset: start, what: "\(what) (number not canonical)")
            }
            return .number(number)
        case .date:
            guard let date = CalendarDate(daysSinceEpoch: try readSigned(what)) else {
                throw BinaryFormatError(offset: start, what: "\(what) (date out of range)")
            }
            return .date(date)
        case .bool:
            return .bool(try readFlag(what))
        }
    }
}
