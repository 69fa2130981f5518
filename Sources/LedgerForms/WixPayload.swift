import Foundation
import LedgerDomain

/// A Wix form submission, from any of the shapes Wix posts, mapped onto a form's fields.
///
/// - Automations' "send via webhook" with a `data` object: `formId`, `submissionId`,
///   `submissionTime`, `contact.email`, `contact.name.first/last`, `contact.phones[]`, and
///   `field:comp-…` keys for the form's own fields;
/// - the same with flat keys: `contact.Email[0]`, `contact.Name.First`, `contact.Phone[0]`;
/// - the older `submissions: [{fieldTitle, fieldInputValue}]`;
/// - the app webhook `wix.forms.v4.submission` `created` (a JWT, checked by `WixWebhookToken`):
///   `createdEvent.entity` with `id` and `submissions` (field key → value).
///
/// Fields the form's `wixFieldMap` names go where it says; otherwise a field is recognised by
/// its title or key (`email`, `first name`, `last_name`, `phone`, or a form field's key or label).
public struct WixPayload: Sendable, Hashable {
    /// Values by the form's field keys.
    public var values: [String: String]
    /// Wix's submission id, when the payload has one.
    public var submissionID: String?

    /// Reads a webhook body (JSON) for `definition`; nil when it is none of the shapes.
    public static func read(_ json: JSONValue, for definition: FormDefinition) -> WixPayload? {
        guard case .object(var root) = json else { return nil }
        // The app webhook nests its event in `data` twice; Automations once.
        var depth = 0
        while case .object(let data)? = root["data"], depth < 4 {
            root = data
            depth += 1
        }
        var mapper = Mapper(definition: definition)
        var submissionID = string(root["submissionId"])
        // The app webhook's event, inside the JWT.
        if case .object(let created)? = root["createdEvent"], case .object(let entity)? = created["entity"] {
            submissionID = string(entity["id"]) ?? submissionID
            if case .object(let submissions)? = entity["submissions"] {
                for (key, value) in submissions { mapper.take(key, value) }
            }
            return mapper.values.isEmpty ? nil : WixPayload(values: mapper.values, submissionID: submissionID)
        }
        if case .array(let submissions)? = root["submissions"] {
            for item in submissions {
                guard case .object(let field) = item, let title = string(field["fieldTitle"]) else { continue }
                mapper.take(title, field["fieldInputValue"] ?? .null)
            }
        }
        if case .object(let contact)? = root["contact"] {
            mapper.set("email", string(contact["email"]))
            if case .object(let name)? = contact["name"] {
                mapper.set("firstName", string(name["first"]))
                mapper.set("lastName", string(name["last"]))
            }
            if case .array(let phones)? = contact["phones"], let first = phones.first {
                if case .object(let phone) = first {
                    mapper.set("phone", string(phone["e164Phone"]) ?? string(phone["phone"]))
                } else {
                    mapper.set("phone", string(first))
                }
            }
        }
        for (key, value) in root {
            switch key {
            case "contact.Email[0]", "contact.Email": mapper.set("email", string(value))
            case "contact.Name.First": mapper.set("firstName", string(value))
            case "contact.Name.Last": mapper.set("lastName", string(value))
            case "contact.Phone[0]", "contact.Phone": mapper.set("phone", string(value))
            default:
                if key.hasPrefix("field:") { mapper.take(key, value) }
            }
        }
        return mapper.values.isEmpty ? nil : WixPayload(values: mapper.values, submissionID: submissionID)
    }

    static func string(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text)?: text.isEmpty ? nil : text
        case .number(let number)?: number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .bool(let flag)?: flag ? "true" : "false"
        case .array(let items)?: items.compactMap { string($0) }.first
        default: nil
        }
    }

    /// Puts Wix fields onto the form's fields.
    struct Mapper {
        let definition: FormDefinition
        var values: [String: String] = [:]

        /// Sets form field `key` when the form has it and it is not set yet.
        mutating func set(_ key: String, _ value: String?) {
            guard let value, definition.fields.contains(where: { $0.key == key }), values[key] == nil else { return }
            values[key] = value
        }

        /// A Wix field by its key or title: the form's map first, then its name.
        mutating func take(_ name: String, _ value: JSONValue) {
            if let mapped = definition.wixFieldMap[name] {
                set(mapped, WixPayload.string(value))
                return
            }
            let simple = name.lowercased().filter { $0.isLetter || $0.isNumber }
            if let field = definition.fields.first(where: { $0.key.lowercased() == simple || $0.label.lowercased().filter({ $0.isLetter || $0.isNumber }) == simple }) {
                set(field.key, WixPayload.string(value))
            } else if simple.contains("email") {
                set("email", WixPayload.string(value))
            } else if simple.contains("phone") {
                set("phone", WixPayload.string(value))
            } else if simple.hasPrefix("first") {
                set("firstName", WixPayload.string(value))
            } else if simple.hasPrefix("last") {
                set("lastName", WixPayload.string(value))
            }
        }
    }
}
