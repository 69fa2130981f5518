import LedgerDomain

extension ContactDocument {
    /// One line of compact JSON with keys in the documented order (`id`, `externalId`, `email`,
    /// `phone`, then `externalIds`, `emails`, `phones` when there are several, ..., `segments`) and nested object keys sorted, so equal contacts print equal lines.
    public var jsonText: String { String(decoding: jsonBytes, as: UTF8.self) }

    /// `jsonText` as UTF-8 bytes, written straight from the document's members (no tree of
    /// nodes first, no `String` grown a scalar at a time): the API's contact reads send these.
    /// The same text as `ordered.text` (`ContactDocumentJSONTests` checks them against each
    /// other).
    public var jsonBytes: [UInt8] {
        var out = JSONBytes()
        out.bytes.reserveCapacity(256 + 64 * (fields.count + consent.count))
        out.raw("{\"id\":")
        out.raw(String(id))
        func add(_ key: String, _ value: String?) {
            guard let value else { return }
            out.key(key)
            out.string(value)
        }
        func addAll(_ key: String, _ values: [String]?) {
            guard let values else { return }
            out.key(key)
            out.strings(values)
        }
        add("externalId", externalId)
        add("email", email)
        add("phone", phone)
        addAll("externalIds", externalIds)
        addAll("emails", emails)
        addAll("phones", phones)
        add("firstName", firstName)
        add("lastName", lastName)
        add("birthDate", birthDate)
        add("languageCode", languageCode)
        add("timeZone", timeZone)
        out.key("fields")
        out.bytes.append(UInt8(ascii: "{"))
        for (index, field) in fields.sorted(by: { $0.key < $1.key }).enumerated() {
            if index > 0 { out.bytes.append(UInt8(ascii: ",")) }
            out.string(field.key)
            out.bytes.append(UInt8(ascii: ":"))
            field.value.write(into: &out)
        }
        out.bytes.append(UInt8(ascii: "}"))
        out.key("consent")
        ConsentDocument.write(consent, into: &out)
        out.key("segments")
        out.strings(segments)
        if let mergedInto {
            out.key("mergedInto")
            out.raw(String(mergedInto))
        }
        if let erased {
            out.key("erased")
            out.raw(erased ? "true" : "false")
        }
        out.bytes.append(UInt8(ascii: "}"))
        return out.bytes
    }

    /// The document as a `JSONValue`; its objects are dictionaries, so key order is not kept.
    public var jsonValue: JSONValue { ordered.jsonValue }

    /// The document's tree; absent values are omitted.
    var ordered: OrderedJSON {
        var members: [(key: String, value: OrderedJSON)] = [("id", .number(String(id)))]
        func add(_ key: String, _ value: String?) {
            if let value { members.append((key, .string(value))) }
        }
        add("externalId", externalId)
        add("email", email)
        add("phone", phone)
        func addAll(_ key: String, _ values: [String]?) {
            if let values { members.append((key, .array(values.map(OrderedJSON.string)))) }
        }
        addAll("externalIds", externalIds)
        addAll("emails", emails)
        addAll("phones", phones)
        add("firstName", firstName)
        add("lastName", lastName)
        add("birthDate", birthDate)
        add("languageCode", languageCode)
        add("timeZone", timeZone)
        members.append(("fields", .object(fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value.ordered) })))
        members.append(("consent", .object(consent.sorted { $0.key < $1.key }.map { ($0.key, $0.value.ordered) })))
        members.append(("segments", .array(segments.map(OrderedJSON.string))))
        if let mergedInto { members.append(("mergedInto", .number(String(mergedInto)))) }
        if let erased { members.append(("erased", .bool(erased))) }
        return .object(members)
    }
}

extension ConsentDocument {
    /// `entries` as a JSON object, keys sorted, each entry as `ordered` writes it.
    static func write(_ entries: [String: ConsentDocument], into out: inout JSONBytes) {
        out.bytes.append(UInt8(ascii: "{"))
        for (index, entry) in entries.sorted(by: { $0.key < $1.key }).enumerated() {
            if index > 0 { out.bytes.append(UInt8(ascii: ",")) }
            out.string(entry.key)
            out.bytes.append(UInt8(ascii: ":"))
            out.raw("{\"status\":")
            out.string(entry.value.status)
            out.raw(",\"since\":")
            out.string(entry.value.since)
            out.raw(",\"method\":")
            out.string(entry.value.method)
            if let purposes = entry.value.purposes {
                out.raw(",\"purposes\":")
                write(purposes, into: &out)
            }
            out.bytes.append(UInt8(ascii: "}"))
        }
        out.bytes.append(UInt8(ascii: "}"))
    }

    /// The entry's tree, keys in declaration order.
    var ordered: OrderedJSON {
        var members: [(key: String, value: OrderedJSON)] = [
            ("status", .string(status)), ("since", .string(since)), ("method", .string(method)),
        ]
        if let purposes {
            members.append(("purposes", .object(purposes.sorted { $0.key < $1.key }.map { ($0.key, $0.value.ordered) })))
        }
        return .object(members)
    }
}

extension DocumentValue {
    /// The value as `ordered` writes it.
    func write(into out: inout JSONBytes) {
        switch self {
        case .string(let text): out.string(text)
        case .number(let number): out.raw(number.isFinite ? Self.decimalText(number) : "null")
        case .bool(let flag): out.raw(flag ? "true" : "false")
        }
    }

    /// The value's tree; a non-finite number (which `init(_:)` never makes) is null, as JSON has no such number.
    var ordered: OrderedJSON {
        switch self {
        case .string(let text): .string(text)
        case .number(let number): number.isFinite ? .number(Self.decimalText(number)) : .null
        case .bool(let flag): .bool(flag)
        }
    }
}

/// Compact JSON written as UTF-8 bytes, with `OrderedJSON`'s escaping (quotes, backslashes and
/// control characters only; everything else as it is).
struct JSONBytes {
    var bytes: [UInt8] = []

    /// Text that is already JSON (a number, a literal, punctuation).
    mutating func raw(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    /// `,"KEY":` for a key that needs no escaping.
    mutating func key(_ key: String) {
        bytes.append(UInt8(ascii: ","))
        bytes.append(UInt8(ascii: "\""))
        raw(key)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    /// An array of strings.
    mutating func strings(_ values: [String]) {
        bytes.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            string(value)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// A JSON string. In UTF-8 a byte below 0x20, a quote or a backslash is always that
    /// character, never part of another, so escaping goes byte by byte.
    mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case UInt8(ascii: "\n"): raw("\\n")
            case UInt8(ascii: "\r"): raw("\\r")
            case UInt8(ascii: "\t"): raw("\\t")
            case 0x08: raw("\\b")
            case 0x0C: raw("\\f")
            case 0x00..<0x20:
                raw("\\u00")
                bytes.append(Self.hexDigits[Int(byte >> 4)])
                bytes.append(Self.hexDigits[Int(byte & 0x0F)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
