import Foundation
import Hummingbird
import LedgerContacts
import LedgerDomain
import LedgerProjections
import LedgerStore

extension ApiServer {
    /// The dynamic segments and their members, read from the segment projection (scope
    /// `contacts:read`): `GET /api/v1/segments`, `GET /api/v1/segments/{name}/members`.
    func addSegmentReadRoutes(to router: Router<ApiRequestContext>) {
        router.get("/api/v1/segments") { _, context in try await self.listSegments(context) }
        allow(router, "/api/v1/segments", [.get])
        router.get("/api/v1/segments/{name}/members") { request, context in try await self.segmentMembers(request, context) }
        allow(router, "/api/v1/segments/{name}/members", [.get, .post])
    }

    /// The most members one `GET …/members` returns.
    static let maximumMemberPage = 10_000

    /// `GET /api/v1/segments`: every dynamic segment with its rule version, member count, and
    /// when its rule was defined and last evaluated. Static segments have no list of their own
    /// (a contact's `segments` says which it is in).
    func listSegments(_ context: ApiRequestContext) async throws -> Response {
        _ = try context.require(.contactsRead)
        let entries = try await contacts.read { book in
            let segments = SegmentDirectory(store: try book.directory().store)
            return try segments.rules().sorted { $0.key < $1.key }.map { name, record in
                SegmentReply(
                    name: name, version: record.version, members: try segments.memberCount(name),
                    definedAt: Timestamp.iso8601(microseconds: record.definedAt), evaluatedAt: Timestamp.iso8601(microseconds: record.evaluatedAt),
                    rule: (try? JSONDecoder().decode(JSONValue.self, from: Data(record.rule.utf8))) ?? .null)
            }
        }
        return try Self.json(encoding: SegmentListReply(segments: entries))
    }

    /// `GET /api/v1/segments/{name}/members[?at=T][&after=ID][&limit=N]`: a dynamic segment's
    /// members now (with when each entered) or at `at`, in contact order, `limit` at a time
    /// (default 1,000, at most 10,000) after contact `after`; `next` is the `after` of the
    /// next page. 404 when no dynamic segment has the name.
    func segmentMembers(_ request: Request, _ context: ApiRequestContext) async throws -> Response {
        _ = try context.require(.contactsRead)
        let segment = try Self.segmentName(context)
        let query = request.uri.queryParameters
        func number(_ name: String, _ fallback: UInt64) throws -> UInt64 {
            guard let text = query.get(name) else { return fallback }
            guard let value = UInt64(text) else {
                throw ApiProblem.badRequest("\(name) must be a whole number, 0 or more", errors: [FieldProblem(path: "query.\(name)", message: "is not a whole number")])
            }
            return value
        }
        let at = try Self.time(request, "at")
        let after = try number("after", 0)
        let limit = Int(min(max(try number("limit", 1_000), 1), UInt64(Self.maximumMemberPage)))
        let reply = try await contacts.read { book -> MembersPageReply? in
            let segments = SegmentDirectory(store: try book.directory().store)
            guard let record = try segments.rules()[segment] else { return nil }
            var all = [(stream: StreamID, since: Int64?)]()
            if let at {
                all = try segments.members(segment, at: at).map { (stream: $0, since: nil) }
            } else {
                all = try segments.members(segment).map { (stream: $0.stream, since: Optional($0.since)) }
            }
            let page = Array(all.lazy.filter { $0.stream.rawValue > after }.prefix(limit + 1))
            let members = page.prefix(limit).map { MembersPageReply.Member(id: $0.stream.rawValue, since: $0.since.map { Timestamp.iso8601(microseconds: $0) }) }
            return MembersPageReply(
                segment: segment, version: record.version, at: at.map { Timestamp.iso8601(microseconds: $0) }, members: members,
                next: page.count > limit ? members.last?.id : nil)
        }
        guard let reply else {
            throw ApiProblem.notFound("no dynamic segment is named \(segment) (a static segment's members are the contacts whose segments name it)")
        }
        return try Self.json(encoding: reply)
    }
}

/// One dynamic segment in `GET /api/v1/segments`.
struct SegmentReply: Encodable {
    let name: String
    let version: UInt64
    let members: Int
    let definedAt: String
    let evaluatedAt: String
    let rule: JSONValue
}

/// The reply of `GET /api/v1/segments`.
struct SegmentListReply: Encodable {
    let segments: [SegmentReply]
}

/// A page of a dynamic segment's members.
struct MembersPageReply: Encodable, Sendable {
    struct Member: Encodable, Sendable {
        let id: UInt64
        /// When it entered (members now only).
        let since: String?
    }

    let segment: String
    let version: UInt64
    let at: String?
    let members: [Member]
    /// The `after` of the next page; absent on the last.
    let next: UInt64?
}
