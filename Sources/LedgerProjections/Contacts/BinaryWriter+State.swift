import LedgerDomain

// Primitives of the stored contact state beyond BinaryWriter's own. Named apart from the
// event payload helpers LedgerDomain keeps internal, so the two never collide if those
// become public.
extension BinaryWriter {
    /// Writes 1 or 0.
    mutating func writeFlag(_ value: Bool) {
        write(UInt8(value ? 1 : 0))
    }

    /// Writes a presence byte and, when there is one, the string.
    mutating func writeOptional(_ string: String?) {
        writeFlag(string != nil)
        if let string { writeString(string) }
    }

    /// Writes a zigzag varint, so times and dates before 1970 stay short.
    mutating func writeSigned(_ value: Int64) {
        writeVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// Writes a value's stored byte.
    mutating func writeCode(state value: some StateCode) {
        write(value.stateCode)
    }

    /// Writes a field value: its type's code, then the value.
    mutating func writeFieldValue(_ value: FieldValue) {
        writeCode(state: value.type)
        switch value {
        case .text(let text): writeString(text)
        case .number(let number): writeString(number.canonical)
        case .date(let date): writeSigned(date.daysSinceEpoch)
        case .bool(let flag): writeFlag(flag)
        }
    }
}
