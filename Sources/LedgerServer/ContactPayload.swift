import Foundation
import LedgerContacts
import LedgerDomain
import LedgerIdentity
import LedgerStore
import LedgerTokens

/// One contact of a request body, in the Reteno / eSputnik shape, read into the input every
/// door hands the write side (`ContactInput`).
///
/// `{firstName, lastName, channels: [{type, value}], fields: [{id, value}], externalCustomerId,
/// languageCode, timeZone, groups}`. A field that is not sent is left alone, never cleared.
struct ContactPayload: Sendable {
    /// What the contact says, for `ContactBook.upsert`.
    var input: ContactInput
    /// The consent channels it was sent with (e-mail, sms): recorded as confirmed by `api`.
    var consentChannels: [ConsentChannel]
    /// Where each identifier sits in the body, for errors about it (`channels[1].value`).
    var identifierPaths: [IdentifierKind: String]
    /// Its `webpush` and `mobilepush` channels, checked; recorded as tokens linked to the
    /// contact once it is committed (`ApiServer.recordPushTokens`).
    var pushTokens: [PushTokenDraft] = []

    /// The members a contact object may have.
    static let members: Set<String> = [
        "firstName", "lastName", "channels", "fields", "externalCustomerId", "languageCode", "timeZone", "groups", "birthDate",
    ]

    /// The longest name, as in Reteno.
    static let maximumNameLength = 40

    /// Reads the contact object at `path`; problems go into `reader`, and nil comes back when
    /// there were any in this contact.
    /// `extra` names members the request itself reads beside the contact's (`dedupeOn`).
    static func read(_ value: JSONValue, at path: String, reader: inout BodyReader, declared: [String: FieldType], allowing extra: Set<String> = []) -> ContactPayload? {
        let before = reader.problems.count
        guard let members = reader.object(value, at: path, allowed: members.union(extra)) else { return nil }
        var fields = [(field: ContactField, value: FieldValue?)]()
        func text(_ field: StandardField, maxLength: Int) {
            guard let value = reader.string(members, field.name, at: path, maxLength: maxLength) else { return }
            fields.append((.standard(field), value.isEmpty ? nil : .text(value)))
        }
        text(.firstName, maxLength: maximumNameLength)
        text(.lastName, maxLength: maximumNameLength)
        text(.languageCode, maxLength: 35)
        text(.timeZone, maxLength: 64)
        if let birthDate = reader.string(members, "birthDate", at: path, maxLength: 10), !birthDate.isEmpty {
            do {
                fields.append((.standard(.birthDate), try FieldValueReader.read(birthDate, as: .date)))
            } catch {
                reader.fail(BodyReader.join(path, "birthDate"), "\(error): write YYYY-MM-DD")
            }
        }
        var input = ContactInput()
        var identifierPaths = [IdentifierKind: String]()
        var consentChannels = [ConsentChannel]()
        var pushTokens = [PushTokenDraft]()
        if let external = reader.string(members, "externalCustomerId", at: path, maxLength: 256), !external.isEmpty {
            input.externalId = external
            identifierPaths[.externalId] = BodyReader.join(path, "externalCustomerId")
        }
        for (index, item) in reader.array(members, "channels", at: path).enumerated() {
            let here = "\(BodyReader.join(path, "channels"))[\(index)]"
            guard let channel = reader.object(item, at: here, allowed: ["type", "value", "device", "origin"]) else { continue }
            guard let type = reader.string(channel, "type", at: here) else {
                reader.fail(BodyReader.join(here, "type"), "is required: email, sms, webpush or mobilepush")
                continue
            }
            if type != "mobilepush", channel["device"] != nil { reader.misshapen(BodyReader.join(here, "device"), "is only for a mobilepush channel") }
            if type != "webpush", channel["origin"] != nil { reader.misshapen(BodyReader.join(here, "origin"), "is only for a webpush channel") }
            let limit = type == "webpush" ? 8192 : type == "mobilepush" ? 4096 : 320
            guard let value = reader.string(channel, "value", at: here, maxLength: limit), !value.isEmpty else {
                reader.fail(BodyReader.join(here, "value"), "is required")
                continue
            }
            let valuePath = BodyReader.join(here, "value")
            switch type {
            case "email":
                guard input.email == nil else { reader.fail(here, "a second email channel; a contact has one e-mail here"); continue }
                input.email = value
                identifierPaths[.email] = valuePath
                consentChannels.append(.email)
            case "sms":
                guard input.phone == nil else { reader.fail(here, "a second sms channel; a contact has one phone here"); continue }
                input.phone = value
                identifierPaths[.phone] = valuePath
                consentChannels.append(.sms)
            case "webpush":
                // The value is the PushSubscriptionJSON as text, as Reteno and eSputnik take it.
                guard let subscription = try? JSONDecoder().decode(JSONValue.self, from: Data(value.utf8)) else {
                    reader.fail(valuePath, "must be a PushSubscriptionJSON ({endpoint, expirationTime, keys: {p256dh, auth}}) as text")
                    continue
                }
                var origin: String?
                if let text = reader.string(channel, "origin", at: here, maxLength: 256) {
                    do {
                        origin = try TokenCheck.origin(text)
                    } catch {
                        reader.fail(BodyReader.join(here, "origin"), error.message)
                    }
                }
                if var draft = PushTokenDraft.web(subscription, at: valuePath, reader: &reader, now: Ledger.systemClock()) {
                    draft.origin = origin
                    pushTokens.append(draft)
                }
            case "mobilepush":
                if let draft = PushTokenDraft.mobile(token: value, device: channel["device"], at: here, reader: &reader) { pushTokens.append(draft) }
            default:
                reader.fail(BodyReader.join(here, "type"), "must be email, sms, webpush or mobilepush")
            }
        }
        for (index, item) in reader.array(members, "fields", at: path).enumerated() {
            let here = "\(BodyReader.join(path, "fields"))[\(index)]"
            guard let field = reader.object(item, at: here, allowed: ["id", "value"]) else { continue }
            let name: String
            switch field["id"] {
            case .string(let text) where !text.isEmpty && text.count <= 64: name = text
            case .number:
                // Known numbers were replaced by names before (`ApiServer.resolvingFieldIDs`).
                reader.fail(BodyReader.join(here, "id"), "no custom field has this number (GET /api/v1/fields lists them)")
                continue
            default:
                reader.fail(BodyReader.join(here, "id"), "must be the field's name, 1 to 64 characters")
                continue
            }
            let valuePath = BodyReader.join(here, "value")
            let raw: String
            switch field["value"] {
            case .string(let text): raw = text
            case .number(let number): raw = number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
            case .bool(let flag): raw = flag ? "true" : "false"
            case .null, nil: continue
            default:
                reader.misshapen(valuePath, "must be a string, number or boolean")
                continue
            }
            if raw.count > 1000 {
                reader.fail(valuePath, "is \(raw.count) characters long; at most 1000 are allowed")
                continue
            }
            if raw.isEmpty { continue }
            if let type = declared[name] {
                do {
                    fields.append((.custom(name), try FieldValueReader.read(raw, as: type)))
                } catch {
                    reader.fail(valuePath, "\(error), the field's declared type being \(type.label)")
                }
            } else {
                fields.append((.custom(name), FieldValueReader.infer(raw)))
            }
        }
        input.fields = fields
        input.segments = reader.strings(members, "groups", at: path, maxLength: 200)
        guard reader.problems.count == before else { return nil }
        return ContactPayload(input: input, consentChannels: consentChannels, identifierPaths: identifierPaths, pushTokens: pushTokens)
    }

    /// Reads `dedupeOn`: `email`, `sms` (or `phone`), `email-or-phone`, `external-id` (or
    /// `externalCustomerId`); absent means `email-or-phone`.
    static func matchRule(_ members: [String: JSONValue], at path: String, reader: inout BodyReader) -> MatchRule {
        guard let text = reader.string(members, "dedupeOn", at: path) else { return .emailOrPhone }
        switch text {
        case "email": return .email
        case "sms", "phone": return .phone
        case "email-or-phone", "emailOrPhone": return .emailOrPhone
        case "external-id", "externalCustomerId", "externalId": return .externalId
        default:
            reader.fail(BodyReader.join(path, "dedupeOn"), "must be email, sms, email-or-phone or external-id")
            return .emailOrPhone
        }
    }
}
