import Foundation
import HTTPTypes
import Hummingbird
import LedgerContacts
import LedgerDomain
import LedgerProjections
import LedgerStore
import NIOCore
import Prometheus

extension ApiServer {
    /// The routes that need no key: health, metrics, the OpenAPI document; and the log.
    func addOperationsRoutes(to router: Router<ApiRequestContext>) {
        router.get("/healthz") { _, _ in try await self.health() }
        allow(router, "/healthz", [.get])
        router.get("/metrics") { _, _ in try await self.metricsText() }
        allow(router, "/metrics", [.get])
        router.get("/openapi.yaml") { _, _ in
            guard let openAPI = self.openAPI else { throw ApiProblem.notFound("this server was started without its OpenAPI document") }
            return Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(string: openAPI)))
        }
        allow(router, "/openapi.yaml", [.get])
        router.get("/api/v1/events") { request, context in try await self.events(request, context) }
        allow(router, "/api/v1/events", [.get])
    }

    /// The log's last position and the contact projection's checkpoint.
    func positions() async throws -> (last: UInt64, projected: UInt64) {
        let ledger = ledger
        return try await contacts.read { book in
            (try ledger.lastPosition(), try ContactDirectory(store: book.store).read { try $0.checkpoint() })
        }
    }

    /// `GET /healthz`: 200 with the log's position while the store answers.
    func health() async throws -> Response {
        let (last, projected) = try await positions()
        return try Self.json(encoding: HealthReply(status: "ok", lastPosition: last, projectedPosition: projected))
    }

    /// `GET /metrics`: Prometheus text format.
    func metricsText() async throws -> Response {
        let (last, projected) = try await positions()
        metrics.projection(lag: last > projected ? last - projected : 0)
        var buffer = [UInt8]()
        metrics.registry.emit(into: &buffer)
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
    }

    /// The most events one `GET /api/v1/events` returns.
    static let maximumEventPage = 10_000

    /// `GET /api/v1/events?from=N&limit=M`: the log as NDJSON envelopes from position N (the
    /// CLI's `events`); scope `audit:read`.
    func events(_ request: Request, _ context: ApiRequestContext) async throws -> Response {
        _ = try context.require(.auditRead)
        let query = request.uri.queryParameters
        func number(_ name: String, _ fallback: Int) throws -> Int {
            guard let text = query.get(name) else { return fallback }
            guard let value = Int(text), value >= 0 else {
                throw ApiProblem.badRequest("\(name) must be a whole number, 0 or more", errors: [FieldProblem(path: "query.\(name)", message: "is not a whole number")])
            }
            return value
        }
        let from = try number("from", 1)
        if try Self.flag(query.get("follow"), name: "follow") {
            // Following: no page limit unless one is asked for (then it ends after that many).
            return followEvents(from: UInt64(max(from, 1)), limit: query.get("limit") == nil ? nil : try number("limit", 0))
        }
        let limit = min(try number("limit", 1_000), Self.maximumEventPage)
        let ledger = ledger
        let body = try await contacts.read { _ in
            let keys = ledger.keyRing()
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            var out = [UInt8]()
            try ledger.forEachEvent(from: UInt64(from), limit: limit) { event in
                let personal = try? keys.personalData(of: event)
                let document = EnvelopeDocument(event, payload: (try? LedgerEvent(decoding: event, personalData: personal)).flatMap(\.jsonPayload))
                out.append(contentsOf: try encoder.encode(document))
                out.append(0x0A)
            }
            return out
        }
        return Response(status: .ok, headers: [.contentType: "application/x-ndjson"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// The reply of `/healthz`.
struct HealthReply: Encodable {
    let status: String
    let lastPosition: UInt64
    let projectedPosition: UInt64
}
