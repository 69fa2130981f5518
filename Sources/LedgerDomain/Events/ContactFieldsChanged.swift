/// `contact.fields-changed` v1: one or more fields of a contact changed together.
///
/// Stored: the field list in the non-personal part (names are schema, not people); the old
/// and new values, in the same order, in the personal part.
public struct ContactFieldsChanged: Hashable, Sendable {
    /// The changes, one per field, in the order they were made.
    public var changes: [FieldChange]

    /// Describes a change of fields.
    public init(changes: [FieldChange]) {
        self.changes = changes
    }
}

extension ContactFieldsChanged: EventPayload {
    static func decode(version: UInt16, from payload: inout PayloadReader) throws(PayloadError) -> Self? {
        switch version {
        case 1: try decodeV1(&payload)
        default: nil
        }
    }

    static func decodeV1(_ payload: inout PayloadReader) throws(PayloadError) -> Self {
        let fields = try payload.readData { try $0.readFieldList() }
        var changes: [FieldChange] = []
        changes.reserveCapacity(fields.count)
        for field in fields {
            let old = try payload.readPersonal { try $0.readFieldValue() }
            let new = try payload.readPersonal { try $0.readFieldValue() }
            changes.append(FieldChange(field: field, old: old, new: new))
        }
        return Self(changes: changes)
    }

    func encode(into payload: inout PayloadWriter) {
        payload.data.writeFieldList(changes)
        // Read in place: iterating the array copied each change (a retain per field name and
        // value), for every contact a bulk import writes.
        changes.withUnsafeBufferPointer { changes in
            for index in changes.indices {
                payload.writePersonal(changes[index].old) { $0.writeFieldValue($1) }
                payload.writePersonal(changes[index].new) { $0.writeFieldValue($1) }
            }
        }
    }

    var jsonObject: [String: JSONValue] {
        let changes = changes.map { change -> JSONValue in
            var object: [String: JSONValue] = [
                "old": change.old.json(Self.json(of:)),
                "new": change.new.json(Self.json(of:)),
            ]
            Self.name(change.field, in: &object)
            return .object(object)
        }
        return ["changes": .array(changes)]
    }

    /// Names `field` in a change's JSON object: `field` for a standard one, `customField` for
    /// a custom one (`contact.fields-changed`, and the fields a `contact.created` carries).
    static func name(_ field: ContactField, in object: inout [String: JSONValue]) {
        switch field {
        case .standard(let field): object["field"] = .string(field.name)
        case .custom(let name): object["customField"] = .string(name)
        }
    }

    /// A value as a one-key object naming its type, so text and dates never look alike.
    static func json(of value: FieldValue?) -> JSONValue {
        switch value {
        case nil: .null
        case .text(let text): .object(["text": .string(text)])
        case .number(let number): .object(["number": .string(number.canonical)])
        case .date(let date): .object(["date": .string(date.iso8601)])
        case .bool(let flag): .object(["bool": .bool(flag)])
        }
    }
}

/// Field values in the personal part: a type byte (0 = unset), then the value.
private enum StoredValueTag {
    static let unset: UInt8 = 0
}

/// The stored byte before a custom field's name; standard fields use their own codes.
private let customFieldCode: UInt8 = 0

// A field list in the non-personal part (`contact.fields-changed`, `contact.created` v3): a
// count, then per field its standard code, or 0 and the custom field's name.
extension BinaryReader {
    mutating func readFieldList() throws(BinaryFormatError) -> [ContactField] {
        let count = try readVarint("change count")
        var fields: [ContactField] = []
        // Each field takes at least one byte, so the count cannot make us allocate more
        // than the buffer holds.
        fields.reserveCapacity(Int(min(count, UInt64(remaining))))
        for _ in 0..<count {
            let code = try readUInt8("field")
            if code == customFieldCode {
                fields.append(.custom(try readString("custom field name")))
            } else if let field = StandardField(code: code) {
                fields.append(.standard(field))
            } else {
                throw BinaryFormatError(offset: offset - 1, what: "field (unknown code \(code))")
            }
        }
        return fields
    }

    mutating func readFieldValue() throws(BinaryFormatError) -> FieldValue? {
        let tagOffset = offset
        let tag = try readUInt8("field value type")
        if tag == StoredValueTag.unset { return nil }
        guard let type = FieldType(code: tag) else {
            throw BinaryFormatError(offset: tagOffset, what: "field value type (unknown code \(tag))")
        }
        switch type {
        case .text:
            return .text(try readString("text value"))
        case .number:
            let start = offset
            guard let number = DecimalNumber(canonical: try readString("number value")) else {
                throw BinaryFormatError(offset: start, what: "number value (not canonical)")
            }
            return .number(number)
        case .date:
            let start = offset
            guard let date = CalendarDate(daysSinceEpoch: try readSignedVarint("date value")) else {
                throw BinaryFormatError(offset: start, what: "date value (out of range)")
            }
            return .date(date)
        case .bool:
            return .bool(try readBool("bool value"))
        }
    }
}

extension BinaryWriter {
    mutating func writeFieldList(_ changes: [FieldChange]) {
        writeVarint(UInt64(changes.count))
        changes.withUnsafeBufferPointer { changes in
            for index in changes.indices {
                switch changes[index].field {
                case .standard(let field):
                    writeCode(field)
                case .custom(let name):
                    write(customFieldCode)
                    writeString(name)
                }
            }
        }
    }

    mutating func writeFieldValue(_ value: FieldValue?) {
        guard let value else {
            write(StoredValueTag.unset)
            return
        }
        writeCode(value.type)
        switch value {
        case .text(let text): writeString(text)
        case .number(let number): writeString(number.canonical)
        case .date(let date): writeSignedVarint(date.daysSinceEpoch)
        case .bool(let flag): writeBool(flag)
        }
    }
}
