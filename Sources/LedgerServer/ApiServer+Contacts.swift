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
    func upsertOne(_ request: Request, _ context: ApiRequestContext) async throws -> Response {
        let key = try context.require(.contactsWrite)
        let idempotency = try IdempotencyKey(request.headers, apiKey: key.name)
        let bytes = try await Self.jsonBody(request, limit: ApiLimits.singleBodyBytes)
        let value = try await resolvingFieldIDs(try BodyReader.parse(bytes))
        if let idempotency, let earlier = try await earlierTry(idempotency, slots: [0])[0], let id = earlier.id {
            return try Self.json(encoding: UpsertReply(id: id, result: earlier.result))
        }
        let declared = try await contacts.read { try $0.directory().fieldTypes() }
        var reader = BodyReader()
        var payload: ContactPayload?
        var match = MatchRule.emailOrPhone
        if case .object(let members) = value {
            match = ContactPayload.matchRule(members, at: "", reader: &reader)
        }
        payload = ContactPayload.read(value, at: "", reader: &reader, declared: declared, allowing: ["dedupeOn"])
        try reader.finish()
        guard let payload else { throw ApiProblem.badRequest("the body is not a contact") }
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
        try await confirmConsent(payload.consentChannels, of: outcome.contact, isNew: { if case .created = outcome { true } else { false } }(), actor: actor, source: source)
        return try Self.json(encoding: UpsertReply(id: outcome.contact.rawValue, result: Self.word(outcome)))
    }

    /// Contacts sent by API count as confirmed on the channels they came with (method `api`),
    /// as in Reteno; a channel already confirmed is left alone, so a repeat records nothing.
    func confirmConsent(_ channels: [ConsentChannel], of id: StreamID, isNew: Bool, actor: Actor, source: Source) async throws {
        guard !channels.isEmpty else { return }
        // A contact just created has no consent to read.
        let state = isNew ? nil : try await contacts.contact(id)
        for channel in channels {
            let scope = ConsentScope(channel: channel, purpose: "marketing")
            if state?.consents[scope]?.status == .confirmed { continue }
            try await contacts.setConsent(id, scope: scope, change: .grant(.confirmed, method: .api), actor: actor, source: source)
        }
    }

    /// The contact the `{key}` parameter names: 400 for a key that is none of the forms,
    /// 404 when no contact holds it.
    func contactID(_ context: ApiRequestContext) async throws -> StreamID {
        let raw = context.parameters.get("key") ?? ""
        let text = raw.removingPercentEncoding ?? raw
        let key: ContactKey
        do {
            key = try ContactKey(parsing: text)
        } catch {
            throw ApiProblem.badRequest(error.message)
        }
        let found: StreamID?
        do {
            found = try await contacts.resolve(key)
        } catch let error as ContactError {
            throw ApiProblem(.badRequest, "invalid-key", error.message)
        }
        guard let found else { throw ApiProblem.notFound("no contact has the key \(text)") }
        return found
    }

    /// `GET /api/v1/contacts/{key}`: the contact as `contact show --json` prints it.
    func show(_ context: ApiRequestContext) async throws -> Response {
        _ = try context.require(.contactsRead)
        let id = try await contactID(context)
        guard let state = try await contacts.contact(id) else { throw ApiProblem.notFound("contact \(id) has no state") }
        return Self.json(state.document.jsonText)
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

/// The reply to a single upsert.
struct UpsertReply: Encodable {
    let id: UInt64
    let result: String
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
