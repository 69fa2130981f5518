import Hummingbird
import Logging
import NIOCore

/// The request context of every route: Hummingbird's core storage, and the API key the
/// request was signed with once `ApiKeyMiddleware` has checked it.
public struct ApiRequestContext: RequestContext {
    /// Hummingbird's per-request storage (logger, parameters, route).
    public var coreContext: CoreRequestContextStorage
    /// The key that signed the request; nil on the public routes (`/healthz`, ...).
    var key: ApiKeyRecord?
    /// The connection's peer as the socket gave it; written out only by the routes that need
    /// it (`peerAddress`): formatting it cost every request an `inet_ntop`.
    let peer: SocketAddress?

    /// A context for a new request, with no key checked yet.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peer = source.channel.remoteAddress
    }

    /// The connection's peer: the client, or a reverse proxy (`ApiServer.clientAddress`).
    var peerAddress: String? { peer?.ipAddress }

    /// Bodies are read with each route's own limit (`ApiLimits`), never this default.
    public var maxUploadSize: Int { ApiLimits.bulkBodyBytes }

    /// The request's id: the `source` of every event it writes.
    var requestID: String { logger[metadataKey: "hb.request.id"]?.description ?? "unknown" }

    /// The key, when it holds `scope`; 401 without a key, 403 without the scope.
    func require(_ scope: ApiScope) throws -> ApiKeyRecord {
        guard let key else { throw ApiProblem.unauthorized }
        guard key.scopes.contains(scope) else {
            throw ApiProblem(.forbidden, "forbidden", "this key lacks the scope \(scope.rawValue)")
        }
        return key
    }
}

/// The server's limits on what a request may carry.
public enum ApiLimits {
    /// The largest body of a single-contact request.
    public static let singleBodyBytes = 64 * 1024
    /// The largest body of a bulk request (3,000 contacts of about 1 KiB, with room).
    public static let bulkBodyBytes = 8 * 1024 * 1024
    /// The most contacts in one bulk request.
    public static let bulkContacts = 3_000
}
