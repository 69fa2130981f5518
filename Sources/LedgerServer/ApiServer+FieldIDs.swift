import Hummingbird
import LedgerContacts
import LedgerDomain
import LedgerProjections
import LedgerStore

/// Custom fields by number, as Reteno's API names them (`fields: [{id: 12, value}]`,
/// `customFieldsIDs: [12]`).
///
/// A field's number is the version of its `field.defined` event in the schema stream: the
/// first field declared is 1, the next 2, and so on. The stream only grows, so a number never
/// changes and is never given to another field; `GET /api/v1/fields` lists them.
extension ApiServer {
    /// `GET /api/v1/fields` (scope `contacts:read`): every custom field with its number and type.
    func addFieldRoutes(to router: Router<ApiRequestContext>) {
        router.get("/api/v1/fields") { _, context in
            _ = try context.require(.contactsRead)
            let ids = try await self.fieldIDs()
            let types = try await self.contacts.read { try $0.directory(.present).fieldTypes() }
            let fields = ids.sorted { $0.key < $1.key }.map { FieldReply(id: $0.key, name: $0.value, type: types[$0.value]?.label ?? "text") }
            return try Self.json(encoding: FieldListReply(fields: fields))
        }
        allow(router, "/api/v1/fields", [.get])
    }

    /// The custom fields' names by number, read from the schema stream.
    func fieldIDs() async throws -> [Int: String] {
        try await contacts.read { book in
            guard let schema = try book.directory(.present).schemaStream() else { return [:] }
            var ids = [Int: String]()
            var seen = Set<String>()
            for event in try book.ledger.readStream(schema) {
                guard case .fieldDefined(let definition)? = try LedgerEvent(decoding: event).contactEvent else { continue }
                // A name declared twice (two writers at once) keeps its first number.
                if seen.insert(definition.name).inserted { ids[Int(event.version)] = definition.name }
            }
            return ids
        }
    }

    /// `value` (a contact, or a bulk body's `contacts`) with each numeric `fields[].id` that
    /// names a declared field replaced by its name. A number that names none is left as it is:
    /// reading the contact refuses it, rejecting that contact alone in a bulk.
    func resolvingFieldIDs(_ value: JSONValue) async throws -> JSONValue {
        guard Self.hasNumericFieldID(value) else { return value }
        let ids = try await fieldIDs()
        guard case .object(var members) = value else { return value }
        if case .array(let contacts)? = members["contacts"] {
            members["contacts"] = .array(contacts.map { Self.resolving($0, ids: ids) })
            return .object(members)
        }
        return Self.resolving(value, ids: ids)
    }

    /// One contact with its known numeric field ids replaced by names.
    static func resolving(_ contact: JSONValue, ids: [Int: String]) -> JSONValue {
        guard case .object(var members) = contact, case .array(let fields)? = members["fields"] else { return contact }
        members["fields"] = .array(fields.map { field in
            guard case .object(var entry) = field, case .number(let number)? = entry["id"], let name = fieldName(number, ids: ids) else { return field }
            entry["id"] = .string(name)
            return .object(entry)
        })
        return .object(members)
    }

    /// The name of the field numbered `number`; nil for a number that is not a whole one or
    /// names no field.
    static func fieldName(_ number: Double, ids: [Int: String]) -> String? {
        guard number == number.rounded(), number >= 1, number <= Double(Int32.max) else { return nil }
        return ids[Int(number)]
    }

    /// Whether any contact of the body names a field by number (only then is the schema read).
    static func hasNumericFieldID(_ value: JSONValue) -> Bool {
        func contact(_ value: JSONValue) -> Bool {
            guard case .object(let members) = value, case .array(let fields)? = members["fields"] else { return false }
            return fields.contains { if case .object(let entry) = $0, case .number? = entry["id"] { true } else { false } }
        }
        guard case .object(let members) = value else { return false }
        if case .array(let contacts)? = members["contacts"] { return contacts.contains(where: contact) }
        return contact(value)
    }
}

/// One custom field in `GET /api/v1/fields`.
struct FieldReply: Encodable {
    let id: Int
    let name: String
    let type: String
}

/// The reply of `GET /api/v1/fields`.
struct FieldListReply: Encodable {
    let fields: [FieldReply]
}
