import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// One thing wrong with a request body, at its JSON path (`contacts[12].channels[1].value`).
public struct FieldProblem: Hashable, Sendable, Encodable {
    /// Where in the body, as a path of names and indexes.
    public let path: String
    /// What is wrong, in words; quotes at most what the client sent there.
    public let message: String

    /// Describes a problem at `path`.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
}

/// An error response as RFC 9457 `application/problem+json`: `type`, `title`, `status`,
/// `detail`, and `errors` with a field path each for a body that failed validation.
///
/// Every error the server sends is one of these, so a client needs one reader for all of them.
public struct ApiProblem: Error, HTTPResponseError, Sendable {
    /// The HTTP status.
    public let status: HTTPResponse.Status
    /// A stable word for programs to branch on, e.g. `identity-conflict`; also the end of `type`.
    public let code: String
    /// What went wrong, for the person who reads it.
    public let detail: String
    /// Field problems, for validation errors.
    public var errors: [FieldProblem] = []
    /// Extra response headers (`Retry-After`, `Allow`, `WWW-Authenticate`).
    public var headers: HTTPFields = [:]

    /// Describes an error response.
    public init(_ status: HTTPResponse.Status, _ code: String, _ detail: String, errors: [FieldProblem] = []) {
        self.status = status
        self.code = code
        self.detail = detail
        self.errors = errors
    }

    /// The media type of every error body.
    public static let mediaType = "application/problem+json"

    private struct Body: Encodable {
        let type: String
        let title: String
        let status: Int
        let detail: String
        let code: String
        let requestId: String?
        let errors: [FieldProblem]?
    }

    /// The body, with the request's id when there is one.
    func body(requestID: String?) -> Data {
        let body = Body(
            type: "urn:contactledger:problem:\(code)", title: status.reasonPhrase, status: status.code,
            detail: detail, code: code, requestId: requestID, errors: errors.isEmpty ? nil : errors
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(body)) ?? Data("{\"status\":\(status.code)}".utf8)
    }

    /// The problem+json response, with the request id.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        fields[.contentType] = Self.mediaType
        let requestID = context.logger[metadataKey: "hb.request.id"]?.description
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body(requestID: requestID))))
    }
}

extension HTTPField.Name {
    /// `X-API-Key`, for clients that cannot set Authorization.
    static let apiKey = HTTPField.Name("X-API-Key") ?? .authorization
    /// `Idempotency-Key`.
    static let idempotencyKey = HTTPField.Name("Idempotency-Key") ?? .authorization
}

extension ApiProblem {
    /// 400 for a body that is not the JSON the endpoint takes.
    static func badRequest(_ detail: String, errors: [FieldProblem] = []) -> ApiProblem {
        ApiProblem(.badRequest, "bad-request", detail, errors: errors)
    }

    /// 422 for well-formed values the rules refuse.
    static func unprocessable(_ detail: String, errors: [FieldProblem] = []) -> ApiProblem {
        ApiProblem(.unprocessableContent, "invalid-value", detail, errors: errors)
    }

    /// 404 for a contact, route or import session that does not exist.
    static func notFound(_ detail: String) -> ApiProblem {
        ApiProblem(.notFound, "not-found", detail)
    }

    /// 401, the same for a missing and an unknown key: nothing says which keys exist.
    static let unauthorized: ApiProblem = {
        var problem = ApiProblem(.unauthorized, "unauthorized", "send an API key as Authorization: Bearer KEY or X-API-Key: KEY")
        problem.headers[.wwwAuthenticate] = "Bearer"
        return problem
    }()
}
