import Foundation
import HTTPTypes
import Hummingbird
import LedgerContacts
import LedgerDomain
import LedgerIdentity
import LedgerProjections
import LedgerStore
import LedgerTokens

extension ApiServer {
    /// The contact routes: add or update one, read one, its history and consent.
    func addContactRoutes(to router: Router<ApiRequestContext>) {
        router.post("/api/v1/contact") { request, context in
            try await self.answering(request, context, route: "POST /api/v1/contact", limit: ApiLimits.singleBodyBytes, session: false) { request, context, _ in
                try await self.upsertOne(request, context)
            }
        }
        allow(router, "/api/v1/contact", [.post])
        router.get("/api/v1/contacts/{key}") { _, context in try await self.show(context) }
        allow(router, "/api/v1/contacts/{key}", [.get])
        router.get("/api/v1/contacts/{key}/history") { request, context in try await self.history(request, context) }
        allow(router, "/api/v1/contacts/{key}/history", [.get])
        router.get("/api/v1/contacts/{key}/consent") { request, context in try await self.consent(request, context) }
        router.post("/api/v1/contacts/{key}/consent") { request, context in try await self.changeConsent(request, context) }
        allow(router, "/api/v1/contacts/{key}/consent", [.get, .post])
        router.post("/api/v1/contacts/{key}/erase") { request, context in try await self.erase(request, context) }
        allow(router, "/api/v1/contacts/{key}/erase", [.post])
    }

    /// Who a request acts as, and where its events say they came from.
    static func origin(_ key: ApiKeyRecord, _ context: ApiRequestContext) -> (actor: Actor, source: Source) {
        (Actor(.apiKey, key.name), .api(key: key.name, requestID: context.requestID))
    }

    /// The result word of an outcome.
    static func word(_ outcome: UpsertOutcome) -> String {
        switch outcome {
        case .created: "created"
        case .updated: "updated"
        case .unchanged: "unchanged"
        }
    }

    /// `POST /api/v1/contact`: adds or updates one contact; 200 once committed.
    ///
    /// The contact's `api` consent (`apiConsent`) is decided with its other events and
    /// recorded in the same commit, which concurrent requests share (`ContactService`).
    func upsertOne(_ request: Request, _ context: ApiRequestContext) async throws -> Response {
        let key = try context.require(.contactsWrite)
        let idempotency = try IdempotencyKey(request.headers, apiKey: key.name)
        let bytes = try await Self.jsonBody(request, limit: ApiLimits.singleBodyBytes)
        let value = try await resolvingFieldIDs(try BodyReader.parse(bytes))
        if let idempotency, let earlier = try await earlierTry(idempotency, slots: [0])[0], let id = earlier.id {
            return Self.upsertReply(id: id, result: earlier.result)
        }
        // The declared field types are read only for a body with custom fields: a hop to a
        // reader thread that most requests need not make.
        var declared = [String: FieldType]()
        if Self.hasCustomFields(value) { declared = try await contacts.read { try $0.directory(.present).fieldTypes() } }
        var reader = BodyReader()
        var payload: ContactPayload?
        var match = MatchRule.emailOrPhone
        if case .object(let members) = value {
            match = ContactPayload.matchRule(members, at: "", reader: &reader)
        }
        payload = ContactPayload.read(value, at: "", reader: &reader, declared: declared, allowing: ["dedupeOn"])
        try reader.finish()
        guard var payload else { throw ApiProblem.badRequest("the body is not a contact") }
        if !payload.consentChannels.isEmpty { payload.input.consent = Self.apiConsent }
        let (actor, source) = Self.origin(key, context)
        let outcome: UpsertOutcome
        do {
            let item = UpsertItem(input: payload.input, source: source, ids: IdempotencyKey.ids(idempotency, contact: 0))
            outcome = try await contacts.upsert(item, match: match, channel: .api, actor: actor)
        } catch let error as ContactError {
            throw ContactProblems.problem(for: error, paths: payload.identifierPaths)
        }
        metrics.committed(batch: 1)
        try await recordPushTokens([(outcome.contact, payload.pushTokens)], actor: actor, source: source)
        return Self.upsertReply(id: outcome.contact.rawValue, result: Self.word(outcome))
    }

    /// What a contact sent by API says about consent: confirmed (method `api`, purpose
    /// `marketing`) on the channels it came with, as in Reteno. Decided like an import's stated
    /// consent (`ConsentInput+Events.swift`): a channel already confirmed is left alone, so a
    /// repeat records nothing, and a channel the person withdrew from is not re-subscribed
    /// (that takes `POST /api/v1/contacts/{key}/consent`).
    static let apiConsent = ConsentInput(stated: .confirmed, purpose: "marketing", method: .api)

    /// Whether a body's `fields` member holds anything: only then are custom field types needed.
    static func hasCustomFields(_ value: JSONValue) -> Bool {
        guard case .object(let members) = value, let fields = members["fields"] else { return false }
        if case .array(let items) = fields, items.isEmpty { return false }
        return fields != .null
    }

    /// The reply to a single upsert, `{"id":N,"result":"created"}`: written directly, as the
    /// result is one of three fixed words (`word`) and the id a number.
    static func upsertReply(id: UInt64, result: String) -> Response {
        json("{\"id\":\(id),\"result\":\"\(result)\"}")
    }

    /// The contact the `{key}` parameter names: 400 for a key that is none of the forms,
    /// 404 when no contact holds it.
    func contactID(_ context: ApiRequestContext) async throws -> StreamID {
        let (key, text) = try Self.contactKey(context)
        let found: StreamID?
        do {
            found = try await contacts.resolve(key)
        } catch let error as ContactError {
            throw ApiProblem(.badRequest, "invalid-key", error.message)
        }
        guard let found else { throw ApiProblem.notFound("no contact has the key \(text)") }
        return found
    }

    /// The `{key}` parameter read as a contact key, and its text; 400 for a key that is none
    /// of the forms.
    static func contactKey(_ context: ApiRequestContext) throws -> (ContactKey, String) {
        let raw = context.parameters.get("key") ?? ""
        let text = PathParameter.text(raw)
        do {
            let key = try ContactKey(parsing: text)
            return (key, text)
        } catch {
            throw ApiProblem.badRequest(error.message)
        }
    }

    /// `GET /api/v1/contacts/{key}`: the contact as `contact show --json` prints it. The key is
    /// looked up and the state read in one snapshot, on one hop to a reader thread.
    func show(_ context: ApiRequestContext) async throws -> Response {
        _ = try context.require(.contactsRead)
        let (key, text) = try Self.contactKey(context)
        let state: ContactState?
        do {
            state = try await contacts.contact(named: key)
        } catch let error as ContactError {
            throw ApiProblem(.badRequest, "invalid-key", error.message)
        }
        guard let state else { throw ApiProblem.notFound("no contact has the key \(text)") }
        return Self.json(bytes: state.document.jsonBytes)
    }

    /// A time query parameter, ISO 8601; 400 naming the parameter when it is not one.
    static func time(_ request: Request, _ name: String) throws -> Int64? {
        guard let text = request.uri.queryParameters.get(name) else { return nil }
        guard let moment = Timestamp.parse(text) else {
            throw ApiProblem.badRequest("\(name) must be an ISO 8601 date or time", errors: [FieldProblem(path: "query.\(name)", message: "is not an ISO 8601 date or time")])
        }
        return moment
    }

    /// `GET /api/v1/contacts/{key}/history[?field=&since=&until=]`: every change, oldest first.
    func history(_ request: Request, _ context: ApiRequestContext) async throws -> Response {
        _ = try context.require(.contactsRead)
        let id = try await contactID(context)
        let filter = HistoryFilter(field: request.uri.queryParameters.get("field"), since: try Self.time(request, "since"), until: try Self.time(request, "until"))
        let ledger = ledger
        let entries = try await contacts.read { _ in
            try ContactHistory.entries(try ledger.readStream(id), matching: filter, keys: ledger.keyRing()).map(\.document)
        }
        return try Self.json(encoding: HistoryReply(contact: id.rawValue, entries: entries))
    }

    /// `GET /api/v1/contacts/{key}/consent[?at=ISO8601]`: consent per channel, now or then.
    func consent(_ request: Request, _ context: ApiRequestContext) async throws -> Response {
        _ = try context.require(.contactsRead)
        let id = try await contactID(context)
        let at = try Self.time(request, "at")
        let ledger = ledger
        let state: ContactState?
        if let at {
            state = try await contacts.read { _ in try ContactAsOf.state(events: try ledger.readStream(id), at: at, keys: ledger.keyRing()) }
        } else {
            state = try await contacts.contact(id)
        }
        let consents = (state?.consents ?? [:]).sorted { ($0.key.channel.label, $0.key.purpose) < ($1.key.channel.label, $1.key.purpose) }.map { scope, record in
            ConsentReply.Entry(
                channel: scope.channel.label, purpose: scope.purpose, status: record.status.label,
                since: Timestamp.iso8601(microseconds: record.since), method: record.method.label, wordingVersion: record.wordingVersion
            )
        }
        return try Self.json(encoding: ConsentReply(contact: id.rawValue, at: at.map(Timestamp.iso8601(microseconds:)), existed: state != nil, consents: consents))
    }

    /// `POST /api/v1/contacts/{key}/consent`: `{channel, status, purpose?, reason?}`.
    func changeConsent(_ request: Request, _ context: ApiRequestContext) async throws -> Response {
        let key = try context.require(.consentWrite)
        let bytes = try await Self.jsonBody(request, limit: ApiLimits.singleBodyBytes)
        let value = try BodyReader.parse(bytes)
        var reader = BodyReader()
        var change: ConsentChange?
        var scope: ConsentScope?
        if let members = reader.object(value, at: "", allowed: ["channel", "status", "purpose", "reason"]) {
            let channel = reader.string(members, "channel", at: "").flatMap(ConsentChannel.init(rawValue:))
            if channel == nil { reader.fail("channel", "is required: email, sms, webpush or mobilepush") }
            let purpose = reader.string(members, "purpose", at: "", maxLength: 64) ?? "marketing"
            let reason = reader.string(members, "reason", at: "", maxLength: 64)
            switch reader.string(members, "status", at: "") {
            case "subscribed": change = .grant(.subscribed, method: .api)
            case "confirmed": change = .grant(.confirmed, method: .api)
            case "unsubscribed": change = .withdraw(method: .api, reason: reason)
            default: reader.fail("status", "is required: subscribed, confirmed or unsubscribed")
            }
            if reason != nil, case .grant = change { reader.fail("reason", "goes with status unsubscribed") }
            if let channel { scope = ConsentScope(channel: channel, purpose: purpose) }
        }
        try reader.finish()
        guard let change, let scope else { throw ApiProblem.badRequest("the body is not a consent change") }
        let id = try await contactID(context)
        let (actor, source) = Self.origin(key, context)
        try await contacts.setConsent(id, scope: scope, change: change, actor: actor, source: source)
        return try await consent(request, context)
    }

    /// `POST /api/v1/contacts/{key}/erase`: `{reason}`; scope `audit:write`.
    func erase(_ request: Request, _ context: ApiRequestContext) async throws -> Response {
        let key = try context.require(.auditWrite)
        let bytes = try await Self.jsonBody(request, limit: ApiLimits.singleBodyBytes)
        var reader = BodyReader()
        var reason: String?
        if let members = reader.object(try BodyReader.parse(bytes), at: "", allowed: ["reason"]) {
            reason = reader.string(members, "reason", at: "", maxLength: ContactBook.maximumErasureReasonLength)
            if reason == nil { reader.fail("reason", "is required, e.g. gdpr-request") }
        }
        try reader.finish()
        guard let reason else { throw ApiProblem.badRequest("the body has no reason") }
        let id = try await contactID(context)
        let (actor, source) = Self.origin(key, context)
        let erasure = try await contacts.erase(id, reason: reason, actor: actor, source: source)
        // The contact's push tokens go with it, as with `ledger erase` (decision 0019).
        let tokens = tokens
        _ = try await contacts.service.write { _ in try tokens.eraseTokens(ofContacts: erasure.streams, actor: actor, source: source) }
        return try Self.json(encoding: EraseReply(id: id.rawValue, streams: erasure.streams.map(\.rawValue), keysDestroyed: erasure.keysDestroyed))
    }
}

/// The reply to a history request.
struct HistoryReply: Encodable {
    let contact: UInt64
    let entries: [HistoryEntryDocument]
}

/// The reply to a consent request.
struct ConsentReply: Encodable {
    struct Entry: Encodable {
        let channel: String
        let purpose: String
        let status: String
        let since: String
        let method: String
        let wordingVersion: String?
    }

    let contact: UInt64
    let at: String?
    /// False when `at` is before the contact existed.
    let existed: Bool
    let consents: [Entry]
}

/// The reply to an erasure.
struct EraseReply: Encodable {
    let id: UInt64
    let streams: [UInt64]
    let keysDestroyed: Int
}
