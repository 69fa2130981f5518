/// One version of a subscription form (issue 19): what it asks, what it says, where it sends
/// people, and how its submissions are confirmed. `form.defined` and `form.updated` each carry
/// a whole definition, so any version reads on its own: a consent is shown beside the exact
/// words of the version the person saw.
///
/// Nothing here is personal: it describes the form, never a person.
public struct FormDefinition: Hashable, Sendable {
    /// The form's name, also its id in URLs (`/forms/NAME`): 1 to 64 of a-z, 0-9, `-`, `_`.
    public var name: String
    /// The heading shown above the form.
    public var title: String
    /// The fields asked for, in order.
    public var fields: [FormField]
    /// Static segments every submission joins.
    public var segments: [String]
    /// Whether submissions are confirmed by e-mail (double opt-in).
    public var doubleOptIn: Bool
    /// The consent purpose (list) submissions subscribe to, e.g. `marketing`.
    public var purpose: String
    /// The consent wording shown beside the submit button.
    public var consentText: String
    /// The wording's version: raised whenever `consentText` changes.
    public var consentVersion: UInt32
    /// Where the browser goes after a submission; nil: a thank-you page.
    public var redirectURL: String?
    /// Origins (`https://shop.example.com`) whose pages may post to the form from a browser (CORS).
    public var allowedOrigins: [String]
    /// SHA-256 of the secret a Wix webhook carries as `?token=`; empty: no Wix webhook.
    public var wixTokenSHA256: [UInt8]
    /// The PEM public key Wix signs its app webhooks (JWT RS256) with; empty: none.
    public var wixPublicKey: String
    /// Wix field names (`field:comp-abc`, a field title) mapped to the form's field keys.
    public var wixFieldMap: [String: String]
    /// Hours after an unconfirmed request that one reminder is queued; 0: no reminder.
    public var reminderAfterHours: UInt32
    /// Hours a confirmation link works.
    public var tokenLifetimeHours: UInt32
    /// The confirmation mail's subject, text and HTML (Mustache); empty: the built-in ones.
    public var mailSubject: String
    public var mailText: String
    public var mailHTML: String

    /// The default lifetime of a confirmation link: 7 days.
    public static let defaultTokenLifetimeHours: UInt32 = 168

    /// A definition with the given name and fields, and defaults for the rest.
    public init(
        name: String, title: String = "", fields: [FormField], segments: [String] = [], doubleOptIn: Bool = false,
        purpose: String = "marketing", consentText: String = "", consentVersion: UInt32 = 1, redirectURL: String? = nil,
        allowedOrigins: [String] = [], wixTokenSHA256: [UInt8] = [], wixPublicKey: String = "", wixFieldMap: [String: String] = [:],
        reminderAfterHours: UInt32 = 0, tokenLifetimeHours: UInt32 = defaultTokenLifetimeHours,
        mailSubject: String = "", mailText: String = "", mailHTML: String = ""
    ) {
        self.name = name
        self.title = title
        self.fields = fields
        self.segments = segments
        self.doubleOptIn = doubleOptIn
        self.purpose = purpose
        self.consentText = consentText
        self.consentVersion = consentVersion
        self.redirectURL = redirectURL
        self.allowedOrigins = allowedOrigins
        self.wixTokenSHA256 = wixTokenSHA256
        self.wixPublicKey = wixPublicKey
        self.wixFieldMap = wixFieldMap
        self.reminderAfterHours = reminderAfterHours
        self.tokenLifetimeHours = tokenLifetimeHours
        self.mailSubject = mailSubject
        self.mailText = mailText
        self.mailHTML = mailHTML
    }
}

/// One field of a form: which contact value it fills, its label, and whether it is required.
public struct FormField: Hashable, Sendable {
    /// `email`, `phone`, a standard field (`firstName`, `lastName`, `languageCode`, ...), or a
    /// custom field's name.
    public var key: String
    /// The label shown.
    public var label: String
    /// Whether a submission without it is refused.
    public var required: Bool

    /// Describes a field.
    public init(key: String, label: String, required: Bool) {
        self.key = key
        self.label = label
        self.required = required
    }
}

extension FormDefinition {
    func encode(into writer: inout BinaryWriter) {
        writer.writeString(name)
        writer.writeString(title)
        writer.writeVarint(UInt64(fields.count))
        for field in fields {
            writer.writeString(field.key)
            writer.writeString(field.label)
            writer.write(field.required ? UInt8(1) : 0)
        }
        writer.writeVarint(UInt64(segments.count))
        for segment in segments { writer.writeString(segment) }
        writer.write(doubleOptIn ? UInt8(1) : 0)
        writer.writeString(purpose)
        writer.writeString(consentText)
        writer.writeVarint(UInt64(consentVersion))
        writer.writeString(redirectURL ?? "")
        writer.writeVarint(UInt64(allowedOrigins.count))
        for origin in allowedOrigins { writer.writeString(origin) }
        writer.writeBytes(wixTokenSHA256)
        writer.writeString(wixPublicKey)
        let mapped = wixFieldMap.sorted { $0.key < $1.key }
        writer.writeVarint(UInt64(mapped.count))
        for (from, to) in mapped {
            writer.writeString(from)
            writer.writeString(to)
        }
        writer.writeVarint(UInt64(reminderAfterHours))
        writer.writeVarint(UInt64(tokenLifetimeHours))
        writer.writeString(mailSubject)
        writer.writeString(mailText)
        writer.writeString(mailHTML)
    }

    static func decodeV1(_ reader: inout BinaryReader) throws -> FormDefinition {
        func count(_ what: StaticString) throws -> Int {
            let value = try reader.readVarint(what)
            guard value <= 10_000 else { throw BinaryFormatError(offset: reader.offset, what: what) }
            return Int(value)
        }
        func small(_ what: StaticString) throws -> UInt32 {
            let value = try reader.readVarint(what)
            guard value <= UInt64(UInt32.max) else { throw BinaryFormatError(offset: reader.offset, what: what) }
            return UInt32(value)
        }
        let name = try reader.readString("form name")
        let title = try reader.readString("title")
        var fields = [FormField]()
        for _ in 0..<(try count("field count")) {
            let key = try reader.readString("field key")
            let label = try reader.readString("field label")
            let required = try reader.readUInt8("required flag") != 0
            fields.append(FormField(key: key, label: label, required: required))
        }
        var segments = [String]()
        for _ in 0..<(try count("segment count")) { segments.append(try reader.readString("segment")) }
        let doubleOptIn = try reader.readUInt8("double opt-in flag") != 0
        let purpose = try reader.readString("purpose")
        let consentText = try reader.readString("consent text")
        let consentVersion = try small("consent version")
        let redirect = try reader.readString("redirect URL")
        var origins = [String]()
        for _ in 0..<(try count("origin count")) { origins.append(try reader.readString("origin")) }
        let wixToken = try reader.readBytes("wix token hash")
        let wixKey = try reader.readString("wix public key")
        var map = [String: String]()
        for _ in 0..<(try count("wix map count")) {
            let from = try reader.readString("wix field")
            map[from] = try reader.readString("form field")
        }
        let reminder = try small("reminder hours")
        let lifetime = try small("token lifetime hours")
        let subject = try reader.readString("mail subject")
        let text = try reader.readString("mail text")
        let html = try reader.readString("mail html")
        return FormDefinition(
            name: name, title: title, fields: fields, segments: segments, doubleOptIn: doubleOptIn, purpose: purpose,
            consentText: consentText, consentVersion: consentVersion, redirectURL: redirect.isEmpty ? nil : redirect,
            allowedOrigins: origins, wixTokenSHA256: wixToken, wixPublicKey: wixKey, wixFieldMap: map,
            reminderAfterHours: reminder, tokenLifetimeHours: lifetime, mailSubject: subject, mailText: text, mailHTML: html
        )
    }

    /// The canonical JSON form (the Wix token only as its hash).
    public var jsonObject: [String: JSONValue] {
        var object: [String: JSONValue] = [
            "name": .string(name),
            "title": .string(title),
            "fields": .array(fields.map { .object(["key": .string($0.key), "label": .string($0.label), "required": .bool($0.required)]) }),
            "segments": .array(segments.map(JSONValue.string)),
            "doubleOptIn": .bool(doubleOptIn),
            "purpose": .string(purpose),
            "consentText": .string(consentText),
            "consentVersion": .number(Double(consentVersion)),
            "allowedOrigins": .array(allowedOrigins.map(JSONValue.string)),
            "wixFieldMap": .object(wixFieldMap.mapValues(JSONValue.string)),
            "reminderAfterHours": .number(Double(reminderAfterHours)),
            "tokenLifetimeHours": .number(Double(tokenLifetimeHours)),
            "mailSubject": .string(mailSubject),
            "mailText": .string(mailText),
            "mailHtml": .string(mailHTML),
        ]
        if let redirectURL { object["redirectUrl"] = .string(redirectURL) }
        if !wixTokenSHA256.isEmpty { object["wixTokenSha256"] = .string(Hex.encode(wixTokenSHA256)) }
        if !wixPublicKey.isEmpty { object["wixPublicKey"] = .string(wixPublicKey) }
        return object
    }
}
