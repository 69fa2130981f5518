import Foundation
import HTTPTypes
import Hummingbird
import LedgerContacts
import LedgerStore
import LedgerTokens
import Logging

/// Wraps every route: checks the API key on `/api/` paths, applies the rate limit, turns
/// every error into problem+json, counts the request and logs one line about it.
///
/// The log line has the route (its pattern, not the path: a path can hold an e-mail), the
/// status, the latency, the request id and the key's name; never a body, a query or a key.
struct ApiMiddleware: RouterMiddleware {
    typealias Context = ApiRequestContext

    let gate: ApiKeyGate
    let metrics: ApiMetrics

    func handle(_ request: Request, context: ApiRequestContext, next: (Request, ApiRequestContext) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        var context = context
        var response: Response
        do {
            if request.uri.path.hasPrefix("/api/"), !Self.isPublic(request.uri.path) {
                guard let secret = Self.secret(in: request.headers), let key = try gate.authenticate(secret: secret) else {
                    throw ApiProblem.unauthorized
                }
                context.key = key
                if let wait = gate.retryAfter(for: key.name) {
                    var problem = ApiProblem(.tooManyRequests, "rate-limited", "this key is over its rate limit; retry after \(wait) s")
                    problem.headers[.retryAfter] = String(wait)
                    throw problem
                }
            }
            response = try await next(request, context)
        } catch {
            response = try Self.problem(for: error, logger: context.logger).response(from: request, context: context)
        }
        let elapsed = started.duration(to: .now)
        let route = context.endpointPath ?? "unmatched"
        metrics.request(route: route, method: request.method.rawValue, status: response.status.code, duration: elapsed)
        context.logger.info("request", metadata: [
            "route": .string(route), "method": .string(request.method.rawValue), "status": .stringConvertible(response.status.code),
            "ms": .string(String(format: "%.2f", Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)),
            "key": .string(context.key?.name ?? "-"),
        ])
        return response
    }

    /// The `/api/` routes that take no API key: third-party forms post from browsers, and Wix
    /// webhooks carry the form's own secret (issue 19).
    static func isPublic(_ path: String) -> Bool {
        path == "/api/v1/contact/subscribe" || path.hasPrefix("/api/v1/integrations/wix/")
    }

    /// The key from `Authorization: Bearer KEY` (the scheme in any case, spaces and tabs
    /// around the key dropped), else from `X-API-Key`.
    static func secret(in headers: HTTPFields) -> String? {
        if let authorization = headers[.authorization] { return bearerToken(authorization) }
        return headers[.apiKey]
    }

    /// The token of a `Bearer` credential, or nil for another scheme or none. Read a byte at
    /// a time: splitting, lowercasing and Foundation's trimming were a tenth of a read's CPU.
    static func bearerToken(_ credential: String) -> String? {
        var utf8 = Substring(credential).utf8
        func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        while let first = utf8.first, isBlank(first) { utf8.removeFirst() }
        let scheme = Array("bearer".utf8)
        guard utf8.count > scheme.count else { return nil }
        for (byte, expected) in zip(utf8, scheme) where byte | 0x20 != expected { return nil }
        utf8.removeFirst(scheme.count)
        guard let separator = utf8.first, separator == UInt8(ascii: " ") else { return nil }
        while let first = utf8.first, isBlank(first) { utf8.removeFirst() }
        while let last = utf8.last, isBlank(last) { utf8.removeLast() }
        return utf8.isEmpty ? nil : String(Substring(utf8))
    }

    /// The problem an error is: its own for `ApiProblem`, the status for Hummingbird's
    /// errors, the mapping for contact errors, and a bare 500 for anything else (logged by
    /// type only: an error's text can hold what a request carried).
    static func problem(for error: any Error, logger: Logger) -> ApiProblem {
        switch error {
        case let problem as ApiProblem:
            return problem
        case let error as ContactError:
            return ContactProblems.problem(for: error, paths: [:])
        case let error as TokenError:
            return ContactProblems.problem(for: error)
        case let error as HTTPError:
            switch error.status {
            case .notFound: return ApiProblem.notFound("no such route")
            case .contentTooLarge: return ApiProblem(.contentTooLarge, "too-large", "the body is larger than this endpoint takes")
            default: return ApiProblem(error.status, "http-\(error.status.code)", error.status.reasonPhrase)
            }
        case let error as any HTTPResponseError:
            return ApiProblem(error.status, "http-\(error.status.code)", error.status.reasonPhrase)
        case let error as LedgerError where error.code == .wrongExpectedVersion:
            return ApiProblem(.conflict, "version-conflict", "the contact changed while the request was decided; send it again")
        case let error as LedgerError where error.code == .storage:
            logger.error("storage failure", metadata: ["error.type": .string("\(type(of: error))")])
            return ApiProblem(.serviceUnavailable, "storage", "the ledger could not write; nothing was recorded")
        default:
            logger.error("internal error", metadata: ["error.type": .string("\(type(of: error))")])
            return ApiProblem(.internalServerError, "internal", "an internal error; nothing is acknowledged that was not committed")
        }
    }
}
