import LedgerDomain
import LedgerProjections

/// The members of a bulk body that apply to every contact in it: which static segments they
/// leave (`groupNamesExclude`), and which standard and custom fields are taken from each
/// (`contactFields`, `customFieldsIDs`; Reteno's meaning). Problems go into the reader with
/// their paths.
enum BulkOptions {
    /// `groupNamesExclude`: static segments every contact of the bulk leaves, in the same
    /// commit as the rest of its changes. A name also in `groupNames`, or naming a dynamic
    /// segment (its members follow its rule), is refused.
    static func groupsToLeave(_ members: [String: JSONValue], joining: [String], dynamic: Set<String>, reader: inout BodyReader) -> [String] {
        let names = reader.strings(members, "groupNamesExclude", at: "", maxLength: 200)
        var leaving = [String]()
        for (index, name) in names.enumerated() {
            let path = "groupNamesExclude[\(index)]"
            if let problem = SegmentName.problem(name) {
                reader.fail(path, problem)
            } else if joining.contains(name) {
                reader.fail(path, "is also in groupNames: a contact cannot join and leave a segment at once")
            } else if dynamic.contains(name) {
                reader.fail(path, "is a dynamic segment: its members follow its rule")
            } else if !leaving.contains(name) {
                leaving.append(name)
            }
        }
        return leaving
    }

    /// `contactFields`: the standard fields taken from each contact (`firstName`, `lastName`,
    /// `birthDate`, `languageCode`, `timeZone`); an unknown name is refused. Identifiers
    /// (channels, `externalCustomerId`) are always taken: they say who the contact is.
    static func contactFields(_ members: [String: JSONValue], reader: inout BodyReader) -> Set<String> {
        var fields = Set<String>()
        for (index, name) in reader.strings(members, "contactFields", at: "", maxLength: 64).enumerated() {
            guard StandardField(rawValue: name) != nil else {
                reader.fail("contactFields[\(index)]", "is not a standard field: \(StandardField.allCases.map(\.name).joined(separator: ", "))")
                continue
            }
            fields.insert(name)
        }
        return fields
    }

    /// `customFieldsIDs`: the custom fields taken from each contact, by number (`ids`, from
    /// the schema stream) or by name; a number that names no field is refused.
    static func customFields(_ members: [String: JSONValue], ids: [Int: String], reader: inout BodyReader) -> Set<String> {
        var fields = Set<String>()
        for (index, item) in reader.array(members, "customFieldsIDs", at: "").enumerated() {
            let path = "customFieldsIDs[\(index)]"
            switch item {
            case .number(let number):
                guard let name = ApiServer.fieldName(number, ids: ids) else {
                    reader.fail(path, "no custom field has this number (GET /api/v1/fields lists them)")
                    continue
                }
                fields.insert(name)
            case .string(let name) where !name.isEmpty && name.count <= 64:
                fields.insert(name)
            case .string:
                reader.fail(path, "must be a field's number, or its name of 1 to 64 characters")
            default:
                reader.misshapen(path, "must be a number or a string")
            }
        }
        return fields
    }
}
