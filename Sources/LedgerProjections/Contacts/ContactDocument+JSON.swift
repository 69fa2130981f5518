import LedgerDomain

extension ContactDocument {
    /// One line of compact JSON with keys in the documented order (`id`, `externalId`, `email`,
    /// `phone`, then `externalIds`, `emails`, `phones` when there are several, ..., `segments`) and nested object keys sorted, so equal contacts print equal lines.
    public var jsonText: String { ordered.text }

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
    /// The value's tree; a non-finite number (which `init(_:)` never makes) is null, as JSON has no such number.
    var ordered: OrderedJSON {
        switch self {
        case .string(let text): .string(text)
        case .number(let number): number.isFinite ? .number(Self.decimalText(number)) : .null
        case .bool(let flag): .bool(flag)
        }
    }
}
