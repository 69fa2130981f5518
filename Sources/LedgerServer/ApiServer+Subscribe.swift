import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import LedgerContacts
import LedgerDomain
import LedgerForms
import LedgerStore
import NIOCore

extension ApiServer {
    // MARK: Third-party forms

    /// The values of a subscribe body: `{formId, contact: {firstName, lastName, channels:
    /// [{type, value}], fields: [{id, value}]}}` (eSputnik's shape) as JSON, or flat
    /// `formId=…&email=…&firstName=…` urlencoded. Returns the form id and the values by form
    /// field key (the honeypot's too).
    static func subscribeValues(_ request: Request) async throws -> (form: String, values: [String: String]) {
        let type = request.headers[.contentType]?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        if type == "application/x-www-form-urlencoded" {
            guard var values = try await urlencodedBody(request) else { throw ApiProblem.badRequest("the body is not urlencoded") }
            guard let form = values.removeValue(forKey: "formId"), !form.isEmpty else {
                throw ApiProblem.unprocessable("formId is required", errors: [FieldProblem(path: "formId", message: "is required")])
            }
            return (form, values)
        }
        let bytes = try await jsonBody(request, limit: formBodyBytes)
        var reader = BodyReader()
        var form: String?
        var values = [String: String]()
        if let members = reader.object(try BodyReader.parse(bytes), at: "", allowed: ["formId", "contact", FormPages.honeypotField]) {
            form = reader.string(members, "formId", at: "", maxLength: 64)
            if form == nil { reader.fail("formId", "is required") }
            if let honeypot = reader.string(members, FormPages.honeypotField, at: "", maxLength: 1_000) { values[FormPages.honeypotField] = honeypot }
            if let contact = members["contact"], let fields = reader.object(contact, at: "contact", allowed: ["firstName", "lastName", "channels", "fields"]) {
                for name in ["firstName", "lastName"] {
                    if let text = reader.string(fields, name, at: "contact", maxLength: 1_000) { values[name] = text }
                }
                for (index, item) in reader.array(fields, "channels", at: "contact").enumerated() {
                    let here = "contact.channels[\(index)]"
                    guard let channel = reader.object(item, at: here, allowed: ["type", "value"]) else { continue }
                    let value = reader.string(channel, "value", at: here, maxLength: 320)
                    switch reader.string(channel, "type", at: here) {
                    case "email": values["email"] = value
                    case "sms": values["phone"] = value
                    default: reader.fail(BodyReader.join(here, "type"), "must be email or sms")
                    }
                }
                for (index, item) in reader.array(fields, "fields", at: "contact").enumerated() {
                    let here = "contact.fields[\(index)]"
                    guard let field = reader.object(item, at: here, allowed: ["id", "value"]) else { continue }
                    guard let id = reader.string(field, "id", at: here, maxLength: 64), !id.isEmpty else {
                        reader.fail(BodyReader.join(here, "id"), "must be the field's name")
                        continue
                    }
                    if let value = reader.string(field, "value", at: here, maxLength: 1_000) { values[id] = value }
                }
            } else if members["contact"] == nil {
                reader.fail("contact", "is required")
            }
        }
        try reader.finish()
        guard let form else { throw ApiProblem.badRequest("the body has no formId") }
        return (form, values)
    }

    /// The CORS headers for `origin` when `record` allows it; nil for a request without an
    /// `Origin` (a server posting); 403 for an origin the form does not allow.
    static func cors(_ request: Request, _ record: FormRecord) throws -> HTTPFields {
        guard let origin = request.headers[.origin] else { return [:] }
        guard record.current.allowedOrigins.contains(origin) else {
            throw ApiProblem(.forbidden, "origin-not-allowed", "form \(record.name) does not take submissions from this origin")
        }
        return [.accessControlAllowOrigin: origin, .vary: "Origin"]
    }

    /// `OPTIONS /api/v1/contact/subscribe`: the CORS preflight, for an origin some form allows
    /// (the form is in the body, which a preflight does not carry).
    func preflight(_ request: Request) async throws -> Response {
        let routes = try formRoutes()
        guard let origin = request.headers[.origin] else { return Response(status: .noContent, headers: [.allow: "POST, OPTIONS"]) }
        let book = routes.intake.forms
        let allowed = try await contacts.read { _ in try book.list().contains { $0.current.allowedOrigins.contains(origin) } }
        guard allowed else { throw ApiProblem(.forbidden, "origin-not-allowed", "no form takes submissions from this origin") }
        return Response(status: .noContent, headers: [
            .accessControlAllowOrigin: origin, .vary: "Origin", .accessControlAllowMethods: "POST",
            .accessControlAllowHeaders: "Content-Type", .accessControlMaxAge: "600",
        ])
    }

    /// `POST /api/v1/contact/subscribe`: a third-party form's submission; creates or updates the
    /// contact as not confirmed and starts double opt-in when the form asks for it. 200 for a
    /// submission taken (a duplicate or a caught spam answers the same), 422 naming the fields.
    func subscribe(_ request: Request, _ context: ApiRequestContext) async throws -> Response {
        let routes = try formRoutes()
        let (name, values) = try await Self.subscribeValues(request)
        let book = routes.intake.forms
        guard (try? FormRules.check(name: name)) != nil, let record = try await contacts.read({ _ in try book.form(named: name) }) else {
            throw ApiProblem.notFound("no form has the id \(name)")
        }
        let cors = try Self.cors(request, record)
        let address = clientAddress(request, context)
        if let wait = routes.intake.limits.admit(form: record.name, address: address, now: routes.intake.clock()) {
            var problem = ApiProblem(.tooManyRequests, "rate-limited", "too many submissions; retry after \(wait) s")
            problem.headers = cors
            problem.headers[.retryAfter] = String(wait)
            throw problem
        }
        let submission = Self.submission(values, request, address: address, door: "api")
        for key in submission.values.keys where !record.current.fields.contains(where: { $0.key == key }) {
            throw ApiProblem.unprocessable("form \(record.name) has no field \(key)", errors: [FieldProblem(path: key, message: "is not a field of this form")])
        }
        do {
            _ = try await routes.intake.submit(submission, to: record)
        } catch let error as FormError where error.code == .invalidSubmission {
            var problem = ApiProblem.unprocessable(error.message, errors: error.fieldProblems.sorted { $0.key < $1.key }.map { FieldProblem(path: $0.key, message: $0.value) })
            problem.headers = cors
            throw problem
        }
        var response = try Self.json(encoding: SubscribeReply(formId: record.name, status: "accepted", doubleOptIn: record.current.doubleOptIn))
        for field in cors { response.headers.append(field) }
        return response
    }

    // MARK: Wix

    /// `POST /api/v1/integrations/wix/{formId}?token=SECRET`: a Wix submission. The token is the
    /// form's secret (compared by its SHA-256 in constant time); a JWT body (the app webhook)
    /// must also be signed RS256 by the form's configured Wix public key. A repeated
    /// `submissionId` records nothing twice.
    func wixWebhook(_ request: Request, _ context: ApiRequestContext) async throws -> Response {
        let routes = try formRoutes()
        let name = context.parameters.get("formId") ?? ""
        let book = routes.intake.forms
        guard (try? FormRules.check(name: name)) != nil, let record = try await contacts.read({ _ in try book.form(named: name) }) else {
            throw ApiProblem.notFound("no form has the id \(name)")
        }
        let expected = record.current.wixTokenSHA256
        let presented = Array(SHA256.hash(data: Array((request.uri.queryParameters.get("token") ?? "").utf8)))
        guard !expected.isEmpty, ApiKeyTable.constantTimeEqual(presented, expected) else {
            throw ApiProblem(.unauthorized, "unauthorized", "the form's Wix token is missing or wrong")
        }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: Self.formBodyBytes * 4)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw ApiProblem(.contentTooLarge, "too-large", "the body is larger than \(Self.formBodyBytes * 4) bytes")
        }
        let text = String(buffer: buffer).trimmingCharacters(in: .whitespacesAndNewlines)
        let json: JSONValue
        if !text.hasPrefix("{") {
            // The app webhook: a compact JWT.
            guard !record.current.wixPublicKey.isEmpty else {
                throw ApiProblem(.unauthorized, "unauthorized", "form \(record.name) has no Wix public key to check a signed webhook with")
            }
            do {
                json = try await WixWebhookToken.verify(text, publicKeyPEM: record.current.wixPublicKey)
            } catch let refusal as WixWebhookToken.Refusal {
                // The refusal says what is wrong (signature, algorithm, expiry), never what the token carried.
                throw ApiProblem(.unauthorized, "bad-signature", "the signed webhook was refused: \(refusal.description)")
            }
        } else {
            guard let parsed = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else { throw ApiProblem.badRequest("the body is not valid JSON") }
            json = parsed
        }
        guard let payload = WixPayload.read(json, for: record.current) else {
            throw ApiProblem.unprocessable("the body is none of the Wix submission shapes, or has no field of form \(record.name)")
        }
        let submission = FormSubmission(values: payload.values, ipAddress: nil, userAgent: "wix", externalID: payload.submissionID, door: "wix")
        let receipt: SubmissionReceipt
        do {
            receipt = try await routes.intake.submit(submission, to: record)
        } catch let error as FormError where error.code == .invalidSubmission {
            throw ApiProblem.unprocessable(error.message, errors: error.fieldProblems.sorted { $0.key < $1.key }.map { FieldProblem(path: $0.key, message: $0.value) })
        }
        let status = switch receipt {
        case .duplicate: "duplicate"
        case .spam: "accepted"
        case .recorded: "accepted"
        }
        return try Self.json(encoding: SubscribeReply(formId: record.name, status: status, doubleOptIn: record.current.doubleOptIn))
    }
}

/// The reply to a subscribe call or a Wix webhook.
struct SubscribeReply: Encodable {
    let formId: String
    let status: String
    let doubleOptIn: Bool
}
