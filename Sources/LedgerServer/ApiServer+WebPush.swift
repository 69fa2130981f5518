import Foundation
import HTTPTypes
import Hummingbird
import LedgerContacts
import LedgerDomain
import LedgerProjections
import LedgerStore
import LedgerTokens

extension ApiServer {
    /// Web-push subscriptions from our own service worker (issue 18's API; scope
    /// `contacts:write`): subscribe, refresh (`pushsubscriptionchange`), revoke (the push
    /// service answered 404 or 410).
    func addWebPushRoutes(to router: Router<ApiRequestContext>) {
        router.post("/api/v1/webpush/subscriptions") { request, context in try await self.webPushSubscribe(request, context) }
        allow(router, "/api/v1/webpush/subscriptions", [.post])
        router.post("/api/v1/webpush/subscriptions/refresh") { request, context in try await self.refreshSubscription(request, context) }
        allow(router, "/api/v1/webpush/subscriptions/refresh", [.post])
        router.post("/api/v1/webpush/subscriptions/revoke") { request, context in try await self.revokeSubscription(request, context) }
        allow(router, "/api/v1/webpush/subscriptions/revoke", [.post])
    }

    /// `POST /api/v1/webpush/subscriptions` with `{subscription, contact?, origin?,
    /// vapidPublicKey?}`: records a fresh subscription (`token.subscribed`), linked to the
    /// contact the key names when one is given (404 when none has it). The origin is `origin`,
    /// else the request's `Origin` header (a service worker's fetch sends it), else the one
    /// origin we serve. An endpoint the ledger holds already is not recorded twice: its token
    /// is answered (`result: known`), and linked to the contact when one is given.
    func webPushSubscribe(_ request: Request, _ context: ApiRequestContext) async throws -> Response {
        let key = try context.require(.contactsWrite)
        let value = try BodyReader.parse(try await Self.jsonBody(request, limit: ApiLimits.singleBodyBytes))
        var reader = BodyReader()
        var draft: PushTokenDraft?
        var contactText: String?
        if let members = reader.object(value, at: "", allowed: ["subscription", "contact", "origin", "vapidPublicKey"]) {
            if let subscription = members["subscription"] {
                draft = PushTokenDraft.web(subscription, at: "subscription", reader: &reader, now: Ledger.systemClock())
            } else {
                reader.fail("subscription", "is required: the PushSubscriptionJSON of the browser")
            }
            contactText = reader.string(members, "contact", at: "", maxLength: ContactKey.maxLength)
            let originText = reader.string(members, "origin", at: "", maxLength: 256) ?? request.headers[.origin]
            if let originText {
                do {
                    draft?.origin = try TokenCheck.origin(originText)
                } catch {
                    reader.fail("origin", error.message)
                }
            }
            if let vapid = reader.string(members, "vapidPublicKey", at: "", maxLength: 256) {
                do {
                    draft?.vapidKey = try VapidKeyPair.fingerprint(ofPublicKey: vapid)
                } catch {
                    reader.fail("vapidPublicKey", "\(error)")
                }
            }
        }
        try reader.finish()
        guard let draft else { throw ApiProblem.badRequest("the body has no subscription") }
        var contact: StreamID?
        if let contactText {
            contact = try await resolveContact(contactText, path: "contact")
        }
        let (actor, source) = Self.origin(key, context)
        let known = try await contacts.read { _ in try self.tokens.directory().token(endpoint: draft.secret.endpoint) }
        let token: StreamID
        if let known {
            token = known
            if let contact { try await recordPushTokens([(contact, [draft])], actor: actor, source: source) }
        } else if let contact {
            guard let recorded = try await recordPushTokens([(contact, [draft])], actor: actor, source: source).first else {
                throw ApiProblem(.conflict, "conflict", "the subscription was recorded by another request meanwhile; send it again")
            }
            token = recorded
        } else {
            token = try await contacts.service.write { _ in
                let defaults = try PushDefaults(self.tokens.directory().vapidKeys())
                let origin = draft.origin ?? defaults.origin
                let subscription = draft.subscription(origin: origin, vapidKey: draft.vapidKey ?? defaults.key(for: origin), now: Ledger.systemClock())
                return try self.tokens.subscribe(subscription, actor: actor, source: source)
            }
        }
        return try await tokenReply(token, result: known == nil ? "subscribed" : "known")
    }

    /// `POST /api/v1/webpush/subscriptions/refresh` with `{old, new}` (each a
    /// PushSubscriptionJSON; `old` needs only its `endpoint`): the browser rotated its
    /// subscription (`pushsubscriptionchange`), so the token's chain goes on with the new
    /// values (`token.refreshed`). 404 when no token has the old endpoint; 409 when another
    /// token holds the new one.
    func refreshSubscription(_ request: Request, _ context: ApiRequestContext) async throws -> Response {
        let key = try context.require(.contactsWrite)
        let value = try BodyReader.parse(try await Self.jsonBody(request, limit: ApiLimits.singleBodyBytes))
        var reader = BodyReader()
        var old: String?
        var fresh: PushTokenDraft?
        if let members = reader.object(value, at: "", allowed: ["old", "new"]) {
            if let previous = members["old"], let object = reader.object(previous, at: "old", allowed: ["endpoint", "expirationTime", "keys"]) {
                old = reader.string(object, "endpoint", at: "old", maxLength: 2048)
                if old == nil { reader.fail("old.endpoint", "is required") }
            } else if members["old"] == nil {
                reader.fail("old", "is required: the subscription as it was")
            }
            if let next = members["new"] {
                fresh = PushTokenDraft.web(next, at: "new", reader: &reader, now: Ledger.systemClock())
            } else {
                reader.fail("new", "is required: the subscription as it is now")
            }
        }
        try reader.finish()
        guard let old, let fresh else { throw ApiProblem.badRequest("the body has no old and new subscription") }
        let (actor, source) = Self.origin(key, context)
        let token: StreamID = try await contacts.service.write { _ in
            let directory = try self.tokens.directory()
            guard let token = try directory.token(endpoint: old) else {
                throw ApiProblem(.notFound, "not-found", "no token has the old endpoint", errors: [FieldProblem(path: "old.endpoint", message: "no token has this endpoint")])
            }
            if fresh.secret.endpoint != old, let other = try directory.token(endpoint: fresh.secret.endpoint), other != token {
                throw ApiProblem(.conflict, "endpoint-taken", "another token (\(other.numberInCategory)) has the new endpoint", errors: [FieldProblem(path: "new.endpoint", message: "another token has this endpoint")])
            }
            let state = try self.tokens.token(token)
            let subscription = fresh.subscription(origin: state.origin, vapidKey: state.vapidKey, now: Ledger.systemClock())
            try self.tokens.refresh(token, to: subscription, reason: "pushsubscriptionchange", actor: actor, source: source)
            return token
        }
        return try await tokenReply(token, result: "refreshed")
    }

    /// `POST /api/v1/webpush/subscriptions/revoke` with `{endpoint, status}`: the push
    /// service answered `status` (404 or 410) for the subscription, which can no longer be
    /// used (`token.revoked`). 404 when no token has the endpoint.
    func revokeSubscription(_ request: Request, _ context: ApiRequestContext) async throws -> Response {
        let key = try context.require(.contactsWrite)
        let value = try BodyReader.parse(try await Self.jsonBody(request, limit: ApiLimits.singleBodyBytes))
        var reader = BodyReader()
        var endpoint: String?
        var status: UInt16 = 410
        if let members = reader.object(value, at: "", allowed: ["endpoint", "status"]) {
            endpoint = reader.string(members, "endpoint", at: "", maxLength: 2048)
            if endpoint == nil { reader.fail("endpoint", "is required") }
            switch members["status"] {
            case nil, .null?: break
            case .number(let number)? where number == 404 || number == 410: status = UInt16(number)
            case .number?: reader.fail("status", "must be 404 or 410: how a push service says a subscription is gone")
            default: reader.misshapen("status", "must be a number")
            }
        }
        try reader.finish()
        guard let endpoint else { throw ApiProblem.badRequest("the body has no endpoint") }
        let answered = status
        let (actor, source) = Self.origin(key, context)
        let token: StreamID = try await contacts.service.write { _ in
            guard let token = try self.tokens.directory().token(endpoint: endpoint) else {
                throw ApiProblem(.notFound, "not-found", "no token has this endpoint", errors: [FieldProblem(path: "endpoint", message: "no token has this endpoint")])
            }
            try self.tokens.revoke(token, status: answered, actor: actor, source: source)
            return token
        }
        return try await tokenReply(token, result: "revoked")
    }

    /// The contact a key in the body names: 422 for a key that is none of the forms, 404
    /// when no contact holds it.
    func resolveContact(_ text: String, path: String) async throws -> StreamID {
        let parsed: ContactKey
        do {
            parsed = try ContactKey(parsing: text)
        } catch {
            throw ApiProblem.unprocessable(error.message, errors: [FieldProblem(path: path, message: error.message)])
        }
        let found: StreamID?
        do {
            found = try await contacts.resolve(parsed)
        } catch let error as ContactError {
            throw ApiProblem.unprocessable(error.message, errors: [FieldProblem(path: path, message: error.message)])
        }
        guard let found else {
            throw ApiProblem(.notFound, "not-found", "no contact has the key at \(path)", errors: [FieldProblem(path: path, message: "no contact has this key")])
        }
        return found
    }

    /// The reply about a token: its number, what was done, its contact, and its status now.
    func tokenReply(_ token: StreamID, result: String) async throws -> Response {
        let reply = try await contacts.read { _ in
            let directory = try self.tokens.directory()
            let state = try self.tokens.token(token)
            let (status, reasons) = state.status(in: try directory.statusContext(now: Ledger.systemClock()))
            return TokenReply(
                token: token.numberInCategory, result: result, contact: state.contact?.rawValue, kind: state.kind.label,
                origin: state.origin, status: status.label, reasons: reasons)
        }
        return try Self.json(encoding: reply)
    }
}

/// The reply of the web-push routes.
struct TokenReply: Encodable, Sendable {
    /// The token's number (`token:N` for `ledger tokens provenance`).
    let token: UInt64
    /// subscribed, known, refreshed or revoked.
    let result: String
    let contact: UInt64?
    let kind: String
    let origin: String?
    /// deliverable, needs-resubscribe or invalid, with the reasons.
    let status: String
    let reasons: [String]
}
