import Foundation
import HTTPTypes
import Hummingbird
import LedgerContacts
import LedgerDomain
import LedgerForms
import LedgerStore
import LedgerTokens
import Logging
import NIOCore

/// The HTTP API (issue 16, docs/api.md): the routes, on a contact book and its ledger.
///
/// Every write goes through `ContactWriter`, the same write path as the CLI and the importer;
/// a 2xx is sent only after the change is committed.
public final class ApiServer: Sendable {
    /// The ledger served.
    public let ledger: Ledger
    let contacts: ContactWriter
    let gate: ApiKeyGate
    /// The server's metrics, written out at `/metrics`.
    public let metrics: ApiMetrics
    let logger: Logger
    /// The OpenAPI document served at `/openapi.yaml`, if one was given.
    let openAPI: String?
    /// The push-token write side (`/api/v1/webpush/...`, push channels of a contact).
    public let tokens: TokenBook
    /// Requests under way by their idempotency record: a second with the same key waits for
    /// none, it is refused (409).
    let inFlight = InFlightRequests()
    /// Forms, double opt-in and subscribe routes (issue 19); nil: none.
    let forms: FormRoutes?
    /// The reverse proxies whose `X-Forwarded-For` names the client (`--trusted-proxy`).
    let trustedProxies: TrustedProxies

    /// A server writing through `service`; `rateLimit` is requests per second per key (nil: none).
    /// With `forms`, the hosted forms, the double opt-in pages and the subscribe and Wix routes
    /// are served too. Requests from `trustedProxies` are taken to come from the address their
    /// `X-Forwarded-For` vouches for.
    public init(
        service: ContactService, logger: Logger, rateLimit: Double? = nil, openAPI: String? = nil, forms: FormRoutes? = nil,
        trustedProxies: TrustedProxies = .none
    ) throws {
        let book = service.book
        ledger = book.ledger
        contacts = ContactWriter(service: service)
        gate = try ApiKeyGate(ledger: book.ledger, rateLimit: rateLimit)
        tokens = try TokenBook(ledger: book.ledger)
        metrics = ApiMetrics()
        self.logger = logger
        self.openAPI = openAPI
        self.forms = forms
        self.trustedProxies = trustedProxies
    }

    /// The client's IP address, recorded as consent evidence and rate-limited by: the peer, or
    /// behind a trusted proxy the address its `X-Forwarded-For` vouches for.
    func clientAddress(_ request: Request, _ context: ApiRequestContext) -> String? {
        trustedProxies.client(peer: context.peerAddress, forwardedFor: request.headers[values: .xForwardedFor])
    }

    /// Closes the token projection's store (the contact book and ledger are the caller's).
    public func close() {
        tokens.close()
    }

    /// The router with every route; the middleware comes first, so it wraps them all, the
    /// not-found route included.
    public func router() -> Router<ApiRequestContext> {
        let router = Router(context: ApiRequestContext.self)
        router.add(middleware: ApiMiddleware(gate: gate, metrics: metrics))
        addOperationsRoutes(to: router)
        addContactRoutes(to: router)
        addBulkRoutes(to: router)
        addSegmentRoutes(to: router)
        addSegmentReadRoutes(to: router)
        addWebPushRoutes(to: router)
        addRequestRecordRoutes(to: router)
        addFieldRoutes(to: router)
        addFormRoutes(to: router)
        return router
    }

    /// The application listening on `host`:`port` (0: a free port); `onRunning` is told the
    /// port once it listens.
    public func application(host: String, port: Int, onRunning: @escaping @Sendable (Int?) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(
            router: router(),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port) },
            logger: logger
        )
    }

    /// Serves on `host`:`port` until SIGTERM or SIGINT, then shuts down gracefully: stops
    /// accepting, lets the requests under way finish (each acknowledges only what it
    /// committed), and returns.
    public func run(host: String, port: Int, onRunning: @escaping @Sendable (Int?) async -> Void = { _ in }) async throws {
        try await application(host: host, port: port, onRunning: onRunning).runService()
    }

    /// Registers `path` for `methods`, and a 405 naming them for every other method.
    func allow(_ router: Router<ApiRequestContext>, _ path: RouterPath, _ methods: [HTTPRequest.Method]) {
        let allowed = methods.map(\.rawValue).joined(separator: ", ")
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] where !methods.contains(method) {
            router.on(path, method: method) { _, _ -> Response in
                var problem = ApiProblem(.methodNotAllowed, "method-not-allowed", "this route takes \(allowed)")
                problem.headers[.allow] = allowed
                throw problem
            }
        }
    }

    /// A JSON response.
    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A JSON response of text already encoded as UTF-8.
    static func json(bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A JSON response of an `Encodable` value.
    static func json(encoding value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    /// The body of a request that must be JSON, at most `limit` bytes: 415 for another type,
    /// 413 when larger.
    static func jsonBody(_ request: Request, limit: Int) async throws -> [UInt8] {
        let type = request.headers[.contentType]?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let type, type == "application/json" || type.hasSuffix("+json") else {
            throw ApiProblem(.unsupportedMediaType, "unsupported-media-type", "send the body as application/json")
        }
        if let length = request.headers[.contentLength].flatMap { Int($0) }, length > limit {
            throw ApiProblem(.contentTooLarge, "too-large", "the body is \(length) bytes; this endpoint takes at most \(limit)")
        }
        var request = request
        do {
            let buffer = try await request.collectBody(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw ApiProblem(.contentTooLarge, "too-large", "the body is larger than the \(limit) bytes this endpoint takes")
        }
    }
}
