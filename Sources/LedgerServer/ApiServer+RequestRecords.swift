import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import LedgerDomain
import LedgerStore
import NIOCore
import Synchronization

/// The answers the server keeps in the ledger (decision 0024): every bulk's, for
/// `GET /api/v1/importstatus/{id}`, and every write request's sent with an `Idempotency-Key`,
/// so that a retry gets the first answer and the same key with another request is refused.
///
/// An answer is an `apikey.request-recorded` event on a stream of its own (category
/// `api-request`), written after the request's own commit and before the answer is sent; its
/// event id is derived from the record's id, so finding it is one read of the id index. Its
/// body and the request's fingerprint are sealed under the stream's own data key.
extension ApiServer {
    /// `GET /api/v1/importstatus/{id}`.
    func addRequestRecordRoutes(to router: Router<ApiRequestContext>) {
        router.get("/api/v1/importstatus/{id}") { _, context in try await self.importStatus(context) }
        allow(router, "/api/v1/importstatus/{id}", [.get])
    }

    /// The bulk route, as it is recorded.
    static let bulkRoute = "POST /api/v1/contacts"

    /// `GET /api/v1/importstatus/{id}` (scope `contacts:write`): a bulk's answer again, as
    /// it was sent, after a restart too. Only the key that sent the bulk may read it; any
    /// other id is 404.
    func importStatus(_ context: ApiRequestContext) async throws -> Response {
        let key = try context.require(.contactsWrite)
        let id = context.parameters.get("id") ?? ""
        guard id.utf8.count <= 64, id.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }),
              let record = try await record(id), record.route == Self.bulkRoute, record.actor == Actor(.apiKey, key.name),
              let body = record.body
        else {
            throw ApiProblem.notFound("no import session of this key has that id")
        }
        return Self.json(body, status: HTTPResponse.Status(code: Int(record.status)))
    }

    /// Runs a write `handler` whose answer a client may ask for again: with an
    /// `Idempotency-Key`, a retry is answered from the recorded answer without running the
    /// handler, the same key with another method, path or body is 422 (the IETF
    /// idempotency-key draft's status for a reused key), and a second request with the key
    /// while the first is under way is 409; a `session` route (the bulk) records its answer
    /// even without the header. The handler gets the record's id (a bulk's `asyncSessionId`).
    ///
    /// Only a 2xx is recorded: a refused request wrote nothing, and may be sent again as it is.
    func answering(
        _ request: Request, _ context: ApiRequestContext, route: String, limit: Int, session: Bool,
        _ handler: (Request, ApiRequestContext, String?) async throws -> Response
    ) async throws -> Response {
        let key = try context.require(.contactsWrite)
        let idempotency = try IdempotencyKey(request.headers, apiKey: key.name)
        guard idempotency != nil || session else { return try await handler(request, context, nil) }
        var request = request
        let bytes = try await Self.jsonBody(request, limit: limit)
        request.body = RequestBody(buffer: ByteBuffer(bytes: bytes))
        let fingerprint = Self.fingerprint(route: route, body: bytes)
        let id = idempotency?.session ?? UUID().uuidString.lowercased()
        if idempotency != nil {
            if let earlier = try await record(id) {
                guard earlier.route == route, earlier.fingerprint == fingerprint, let body = earlier.body else {
                    throw ApiProblem(
                        .unprocessableContent, "idempotency-key-reused",
                        "this Idempotency-Key was first sent with another request (method, path or body); nothing was written: use a new key for a new request")
                }
                return Self.json(body, status: HTTPResponse.Status(code: Int(earlier.status)))
            }
            guard inFlight.begin(id) else {
                throw ApiProblem(.conflict, "idempotency-key-in-use", "a request with this Idempotency-Key is under way; send it again once that one is answered")
            }
        }
        defer { if idempotency != nil { inFlight.end(id) } }
        let response = try await handler(request, context, id)
        guard (200..<300).contains(response.status.code) else { return response }
        let collector = BodyCollector()
        try await response.body.write(collector)
        let body = String(decoding: collector.bytes, as: UTF8.self)
        let recorded = ApiRequestRecorded(
            route: route, session: id, idempotent: idempotency != nil, status: UInt16(response.status.code),
            reply: .known(.init(fingerprint: fingerprint, body: body)))
        let (actor, source) = Self.origin(key, context)
        try await recordAnswer(recorded, actor: actor, source: source)
        return Response(status: response.status, headers: response.headers, body: .init(byteBuffer: ByteBuffer(bytes: collector.bytes)))
    }

    /// SHA-256 over the route and the body's bytes.
    static func fingerprint(route: String, body: [UInt8]) -> [UInt8] {
        var hash = SHA256()
        hash.update(data: Array(route.utf8) + [0])
        hash.update(data: body)
        return Array(hash.finalize())
    }

    /// The id of the event recording the answer `session`.
    static func recordID(_ session: String) -> EventID {
        let digest = Array(SHA256.hash(data: Array("contactledger.api-request\u{0}\(session)".utf8)))
        return EventID.sourceRow(namespace: digest.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }, row: 0)(0)
    }

    /// Appends the answer, sealed, on a new `api-request` stream; durable when it returns.
    func recordAnswer(_ recorded: ApiRequestRecorded, actor: Actor, source: Source) async throws {
        var event = ApiKeyEvent.requestRecorded(recorded).newEvent(id: Self.recordID(recorded.session), actor: actor, source: source)
        let key = DataKey.random()
        event.personalData = try key.seal(event.personalData, for: event.id)
        event.personalDataSealed = true
        _ = try await ledger.append(AppendRequest(target: .newIn(.apiRequest), expected: .noStream, events: [event], dataKey: key))
    }

    /// The answer recorded as `session`, or nil.
    func record(_ session: String) async throws -> RequestRecord? {
        let ledger = ledger
        let id = Self.recordID(session)
        return try await contacts.read { _ in
            guard let position = try ledger.position(of: id), let event = try ledger.event(at: position) else { return nil }
            let personal = try ledger.keyRing().personalData(of: event)
            guard case .requestRecorded(let recorded) = try ApiKeyEvent(decoding: event, personalData: personal), recorded.session == session else {
                return nil
            }
            return RequestRecord(
                route: recorded.route, status: recorded.status, actor: event.actor,
                fingerprint: recorded.reply.value?.fingerprint, body: recorded.reply.value?.body)
        }
    }
}

/// A recorded answer as the server reads it back.
struct RequestRecord: Sendable {
    let route: String
    let status: UInt16
    /// The key that made the request.
    let actor: Actor
    /// Nil when its data key is gone.
    let fingerprint: [UInt8]?
    let body: String?
}

/// The record ids of requests under way with an `Idempotency-Key`.
final class InFlightRequests: Sendable {
    private let ids = Mutex<Set<String>>([])

    /// Claims `id`; false when a request holds it already.
    func begin(_ id: String) -> Bool {
        ids.withLock { $0.insert(id).inserted }
    }

    /// Releases `id`.
    func end(_ id: String) {
        _ = ids.withLock { $0.remove(id) }
    }
}

/// Collects a response body that a handler built, to record it.
final class BodyCollector: ResponseBodyWriter {
    private(set) var bytes: [UInt8] = []

    func write(_ buffer: ByteBuffer) async throws {
        bytes.append(contentsOf: buffer.readableBytesView)
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
