import Foundation
import HTTPTypes
import Hummingbird
import LedgerContacts
import LedgerDomain
import LedgerForms
import LedgerProjections
import LedgerStore
import NIOCore

extension ApiServer {
    /// The largest form body (urlencoded or JSON).
    static let formBodyBytes = 16 * 1024

    /// The hosted form, confirmation and unsubscribe pages, and the third-party subscribe call.
    func addFormRoutes(to router: Router<ApiRequestContext>) {
        router.get("/forms/{id}") { _, context in try await self.formPage(context) }
        router.post("/forms/{id}") { request, context in try await self.formPost(request, context) }
        allow(router, "/forms/{id}", [.get, .post])
        router.get("/confirm") { request, context in try await self.confirmPage(request, context) }
        router.post("/confirm") { request, context in try await self.confirmPost(request, context) }
        allow(router, "/confirm", [.get, .post])
        router.get("/unsubscribe") { request, context in try await self.unsubscribePage(request, context) }
        router.post("/unsubscribe") { request, context in try await self.unsubscribePost(request, context) }
        allow(router, "/unsubscribe", [.get, .post])
        router.post("/api/v1/contact/subscribe") { request, context in try await self.subscribe(request, context) }
        router.on("/api/v1/contact/subscribe", method: .options) { request, _ in try await self.preflight(request) }
        allow(router, "/api/v1/contact/subscribe", [.post, .options])
        router.post("/api/v1/integrations/wix/{formId}") { request, context in try await self.wixWebhook(request, context) }
        allow(router, "/api/v1/integrations/wix/{formId}", [.post])
    }

    /// The form routes' setup; 404 when the server runs without forms.
    func formRoutes() throws -> FormRoutes {
        guard let forms else { throw ApiProblem.notFound("this server runs without forms") }
        return forms
    }

    // MARK: Pages

    /// An HTML page.
    static func html(_ text: String, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        // Inline styles only; no script runs on these pages.
        headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'"
        headers[.xContentTypeOptions] = "nosniff"
        headers[.referrerPolicy] = "no-referrer"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A message page.
    func messagePage(_ heading: String, _ text: String, status: HTTPResponse.Status, word: String) throws -> Response {
        Self.html(try formRoutes().pages.message(title: heading, heading: heading, text: text, status: word), status: status)
    }

    /// The form `{id}` names, or a 404 page.
    func form(_ context: ApiRequestContext, parameter: String = "id") async throws -> FormRecord? {
        let routes = try formRoutes()
        let name = context.parameters.get(parameter) ?? ""
        guard (try? FormRules.check(name: name)) != nil else { return nil }
        let book = routes.intake.forms
        return try await contacts.read { _ in try book.form(named: name) }
    }

    /// `GET /forms/{id}`: the form.
    func formPage(_ context: ApiRequestContext) async throws -> Response {
        guard let record = try await form(context) else {
            return try messagePage("Form not found", "There is no form at this address.", status: .notFound, word: "not-found")
        }
        return Self.html(try formRoutes().pages.form(record.current, action: "/forms/\(record.name)"))
    }

    /// The body of a form post: urlencoded, at most `formBodyBytes`.
    static func urlencodedBody(_ request: Request) async throws -> [String: String]? {
        let type = request.headers[.contentType]?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard type == "application/x-www-form-urlencoded" else { return nil }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: formBodyBytes)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw ApiProblem(.contentTooLarge, "too-large", "the body is larger than the \(formBodyBytes) bytes a form takes")
        }
        return URLEncodedForm.parse(String(buffer: buffer))
    }

    /// The submission a request carries, with where it came from.
    static func submission(_ values: [String: String], _ request: Request, address: String?, door: String, externalID: String? = nil) -> FormSubmission {
        var values = values
        let honeypot = values.removeValue(forKey: FormPages.honeypotField)
        let agent = Self.userAgent(request)
        return FormSubmission(values: values, honeypot: honeypot, ipAddress: address, userAgent: agent, externalID: externalID, door: door)
    }

    /// The request's user agent as consent evidence: one line of at most 512 characters.
    static func userAgent(_ request: Request) -> String? {
        guard let agent = request.headers[.userAgent] else { return nil }
        let line = String(String.UnicodeScalarView(agent.unicodeScalars.filter { $0.properties.generalCategory != .control }).prefix(512))
        return line.isEmpty ? nil : line
    }

    /// `POST /forms/{id}`: a submission of the hosted form; the redirect or a thank-you page,
    /// the form again with errors beside their fields, or 429.
    func formPost(_ request: Request, _ context: ApiRequestContext) async throws -> Response {
        let routes = try formRoutes()
        guard let record = try await form(context) else {
            return try messagePage("Form not found", "There is no form at this address.", status: .notFound, word: "not-found")
        }
        guard let values = try await Self.urlencodedBody(request) else {
            return try messagePage("Not a form submission", "Send the form from its page.", status: .unsupportedMediaType, word: "unsupported")
        }
        let address = clientAddress(request, context)
        if let wait = routes.intake.limits.admit(form: record.name, address: address, now: routes.intake.clock()) {
            return Self.html(routes.pages.message(title: "Too many submissions", heading: "Too many submissions", text: "Please wait a minute and try again.", status: "rate-limited"),
                             status: .tooManyRequests, headers: [.retryAfter: String(wait)])
        }
        let submission = Self.submission(values, request, address: address, door: "hosted")
        do {
            _ = try await routes.intake.submit(submission, to: record)
        } catch let error as FormError where error.code == .invalidSubmission {
            return Self.html(routes.pages.form(record.current, action: "/forms/\(record.name)", values: submission.values, errors: error.fieldProblems), status: .unprocessableContent)
        }
        if let redirect = record.current.redirectURL {
            return Response(status: .seeOther, headers: [.location: redirect, .cacheControl: "no-store"])
        }
        let text = record.current.doubleOptIn
            ? "Thank you. We have sent you an e-mail: please open the link in it to confirm your subscription."
            : "Thank you for subscribing."
        return try messagePage("Thank you", text, status: .ok, word: "submitted")
    }

    // MARK: Double opt-in

    /// The token of a link: the query's `token`, else the urlencoded body's.
    static func token(_ request: Request, body: [String: String]?) -> String? {
        request.uri.queryParameters.get("token") ?? body?["token"]
    }

    /// The page for a token that cannot be used, or nil with the verified token.
    func refusal(_ text: String?, purpose: DoiToken.Purpose) throws -> (DoiToken?, Response?) {
        let routes = try formRoutes()
        guard let text else {
            return (nil, try messagePage("Link not valid", "This link is incomplete. Please use the whole link from the e-mail.", status: .badRequest, word: "invalid"))
        }
        switch DoiToken.verify(text, key: routes.intake.key, now: Ledger.systemClock() / 1_000_000) {
        case .failure(.forged):
            return (nil, try messagePage("Link not valid", "This link is not valid. Nothing was changed.", status: .badRequest, word: "invalid"))
        case .failure(.expired):
            return (nil, try messagePage("Link expired", "This confirmation link has expired. Nothing was changed; please fill in the form again to get a new one.", status: .gone, word: "expired"))
        case .success(let token) where token.purpose != purpose:
            return (nil, try messagePage("Link not valid", "This link is not valid here. Nothing was changed.", status: .badRequest, word: "invalid"))
        case .success(let token):
            return (token, nil)
        }
    }

    /// `GET /confirm?token=…`: a page with a button; fetching the link confirms nothing.
    func confirmPage(_ request: Request, _ context: ApiRequestContext) async throws -> Response {
        let (token, refused) = try refusal(Self.token(request, body: nil), purpose: .confirm)
        guard let token, let text = request.uri.queryParameters.get("token") else { return refused ?? Response(status: .badRequest) }
        if let state = try await contacts.contact(token.contact), state.consents[token.scope]?.status == .confirmed, state.consents[token.scope]?.pending?.tokenID != token.id {
            return try messagePage("Already confirmed", "Your subscription is confirmed already. Nothing else is needed.", status: .ok, word: "already-confirmed")
        }
        return Self.html(try formRoutes().pages.button(
            title: "Confirm your subscription", heading: "Confirm your subscription",
            text: "Press the button to confirm that you want to receive our messages.", action: "/confirm", token: text, label: "Confirm subscription"))
    }

    /// `POST /confirm`: records `consent.confirmed` with the IP address, user agent and time;
    /// again, harmless; a link no longer awaited changes nothing.
    func confirmPost(_ request: Request, _ context: ApiRequestContext) async throws -> Response {
        let body = try await Self.urlencodedBody(request)
        let (token, refused) = try refusal(Self.token(request, body: body), purpose: .confirm)
        guard let token else { return refused ?? Response(status: .badRequest) }
        let evidence = ConsentEvidence(ipAddress: clientAddress(request, context), userAgent: Self.userAgent(request))
        let source = Source.form(formID: "\(token.form)@\(token.formVersion)", submissionID: token.id)
        let outcome = try await contacts.service.write { book in
            try book.confirmSubmission(token.contact, scope: token.scope, tokenID: token.id, evidence: evidence, actor: Actor(.form, token.form), source: source)
        }
        switch outcome {
        case .confirmed:
            return try messagePage("Subscription confirmed", "Thank you: your subscription is confirmed.", status: .ok, word: "confirmed")
        case .alreadyConfirmed:
            return try messagePage("Already confirmed", "Your subscription is confirmed already. Nothing else is needed.", status: .ok, word: "already-confirmed")
        case .notPending:
            return try messagePage("Link no longer valid", "This link has been used or replaced by a newer one. Nothing was changed.", status: .gone, word: "not-pending")
        }
    }

    /// `GET /unsubscribe?token=…`: a page with a button.
    func unsubscribePage(_ request: Request, _ context: ApiRequestContext) async throws -> Response {
        let (token, refused) = try refusal(Self.token(request, body: nil), purpose: .unsubscribe)
        guard token != nil, let text = request.uri.queryParameters.get("token") else { return refused ?? Response(status: .badRequest) }
        return Self.html(try formRoutes().pages.button(
            title: "Unsubscribe", heading: "Unsubscribe",
            text: "Press the button to stop receiving our messages.", action: "/unsubscribe", token: text, label: "Unsubscribe"))
    }

    /// `POST /unsubscribe?token=…`: withdraws the consent, with no cookie or key (RFC 8058
    /// one-click when the body is `List-Unsubscribe=One-Click`); a second time records nothing.
    func unsubscribePost(_ request: Request, _ context: ApiRequestContext) async throws -> Response {
        let body = try await Self.urlencodedBody(request)
        let (token, refused) = try refusal(Self.token(request, body: body), purpose: .unsubscribe)
        guard let token else { return refused ?? Response(status: .badRequest) }
        let oneClick = body?["List-Unsubscribe"] == "One-Click"
        let evidence = ConsentEvidence(ipAddress: clientAddress(request, context), userAgent: Self.userAgent(request))
        let source = Source.form(formID: "\(token.form)@\(token.formVersion)", submissionID: token.id)
        let state = try await contacts.contact(token.contact)
        if let state, !state.erased, state.consents[token.scope].map({ $0.status != .unsubscribed }) ?? false {
            try await contacts.setConsent(token.contact, scope: token.scope, change: .withdraw(method: .unsubscribeLink, reason: oneClick ? "one-click" : "link"),
                                          evidence: evidence, actor: Actor(.form, token.form), source: source)
        }
        return try messagePage("Unsubscribed", "You will not receive these messages any more.", status: .ok, word: "unsubscribed")
    }
}

extension HTTPField.Name {
    /// `Referrer-Policy`.
    static let referrerPolicy = HTTPField.Name("Referrer-Policy") ?? .cacheControl
    /// `X-Forwarded-For`: the addresses a request passed through, the client's first.
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For") ?? .via
}
