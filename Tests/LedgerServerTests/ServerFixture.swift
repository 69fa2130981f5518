import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LedgerContacts
import LedgerDomain
import LedgerServer
import LedgerStore
import Logging
import NIOCore
import Testing

/// A fresh ledger in a temporary folder, a contact book and an API server on it, and keys.
final class ServerFixture: Sendable {
    let directory: String
    let ledger: Ledger
    let book: ContactBook
    let server: ApiServer
    /// Whether the folder goes when the fixture does (not when a test reopens it).
    let removes: Bool

    /// A fixture on a new folder, or on `directory` as a later fixture left it (a restart).
    init(rateLimit: Double? = nil, reopening directory: String? = nil, keep: Bool = false) throws {
        self.directory = directory ?? NSTemporaryDirectory() + "ledger-server-\(UUID().uuidString)"
        removes = !keep
        ledger = try Ledger(directory: self.directory)
        book = try ContactBook(ledger: ledger, defaultRegion: "UA")
        server = try ApiServer(service: ContactService(book: book), logger: Logger(label: "test"), rateLimit: rateLimit, openAPI: "openapi: 3.1.0\n")
    }

    /// Closes the store, as a stopped server does; the folder stays.
    func close() {
        server.close()
        book.close()
        ledger.close()
    }

    deinit {
        close()
        if removes { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// Makes key `name` with `scopes` (by the test's user) and returns its secret.
    func key(_ name: String, _ scopes: [ApiScope] = ApiScope.allCases) throws -> String {
        try ApiKeyBook(ledger: ledger).create(name: name, scopes: scopes, actor: Actor(.user, "tester"), source: .cli(command: "test")).secret
    }

    /// Runs `body` with an in-process client of the router.
    func test<Value>(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        try await Application(router: server.router()).test(.router, body)
    }
}

extension TestClientProtocol {
    /// Sends `json` (a JSON text) to `uri` with `key` as a bearer token.
    func send(_ method: HTTPRequest.Method, _ uri: String, key: String?, json: String? = nil, headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers = extra
        if let key { headers[.authorization] = "Bearer \(key)" }
        if json != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }
}

extension TestResponse {
    /// The body as a JSON object.
    var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
    }

    /// The body as text.
    var text: String { String(buffer: body) }
}
