import Foundation
import HTTPTypes
import Hummingbird
import LedgerContacts
import LedgerDomain
import LedgerIdentity
import LedgerProjections
import LedgerStore

extension ApiServer {
    /// Static segment membership: `POST /api/v1/segments/{name}/members` with `{keys: [...]}`,
    /// and `DELETE /api/v1/segments/{name}/members/{key}` (`ApiServer+SegmentReads.swift` has
    /// the `GET`s).
    func addSegmentRoutes(to router: Router<ApiRequestContext>) {
        router.post("/api/v1/segments/{name}/members") { request, context in try await self.addMembers(request, context) }
        router.delete("/api/v1/segments/{name}/members/{key}") { _, context in try await self.removeMember(context) }
        allow(router, "/api/v1/segments/{name}/members/{key}", [.delete])
    }

    /// The `{name}` parameter: 400 unless it is a segment name (`SegmentName`).
    static func segmentName(_ context: ApiRequestContext) throws -> String {
        let raw = context.parameters.get("name") ?? ""
        let segment = PathParameter.text(raw)
        if let problem = SegmentName.problem(segment) {
            throw ApiProblem.badRequest("segment \(problem)", errors: [FieldProblem(path: "path.name", message: problem)])
        }
        return segment
    }

    /// `DELETE /api/v1/segments/{name}/members/{key}`: the contact leaves the static segment
    /// (`segment.member-removed`); 404 for no such contact, 409 for a dynamic segment, whose
    /// members follow its rule. A contact not in the segment is answered `removed: false`.
    func removeMember(_ context: ApiRequestContext) async throws -> Response {
        let key = try context.require(.segmentsWrite)
        let segment = try Self.segmentName(context)
        let id = try await contactID(context)
        let (actor, source) = Self.origin(key, context)
        let changed: Int
        do {
            changed = try await contacts.service.write { try $0.setStaticMembership([id], segment: segment, member: false, actor: actor, source: source) }
        } catch let error as ContactError where error.code == .invalidRequest {
            throw ApiProblem(.conflict, "dynamic-segment", error.message)
        }
        return try Self.json(encoding: MemberRemovedReply(segment: segment, id: id.rawValue, removed: changed > 0))
    }

    /// Adds the contacts `keys` name to segment `{name}`, in one commit; every key must name a
    /// contact (404 naming the first that does not, writing nothing).
    func addMembers(_ request: Request, _ context: ApiRequestContext) async throws -> Response {
        let key = try context.require(.segmentsWrite)
        let raw = context.parameters.get("name") ?? ""
        let segment = PathParameter.text(raw)
        guard !segment.isEmpty, segment.count <= 200 else { throw ApiProblem.badRequest("a segment name is 1 to 200 characters") }
        let bytes = try await Self.jsonBody(request, limit: ApiLimits.bulkBodyBytes)
        var reader = BodyReader()
        var keys = [String]()
        if let members = reader.object(try BodyReader.parse(bytes), at: "", allowed: ["keys"]) {
            keys = reader.strings(members, "keys", at: "", maxLength: ContactKey.maxLength)
            if keys.isEmpty, reader.problems.isEmpty { reader.fail("keys", "is required: 1 to \(ApiLimits.bulkContacts) contact keys") }
            if keys.count > ApiLimits.bulkContacts { reader.fail("keys", "at most \(ApiLimits.bulkContacts) keys") }
        }
        try reader.finish()
        var items = [UpsertItem]()
        let (actor, source) = Self.origin(key, context)
        for (index, text) in keys.enumerated() {
            let path = "keys[\(index)]"
            let parsed: ContactKey
            do {
                parsed = try ContactKey(parsing: text)
            } catch {
                throw ApiProblem.unprocessable(error.message, errors: [FieldProblem(path: path, message: error.message)])
            }
            guard let id = try await contacts.resolve(parsed), let state = try await contacts.contact(id) else {
                throw ApiProblem(.notFound, "not-found", "no contact has the key at \(path)", errors: [FieldProblem(path: path, message: "no contact has this key")])
            }
            // Found by key: the upsert matches on an identifier the contact holds.
            var input = ContactInput(segments: [segment])
            if let email = state.email { input.email = email } else if let phone = state.phone { input.phone = phone } else { input.externalId = state.externalId }
            items.append(UpsertItem(input: input, source: source))
        }
        let rule: (ContactInput) -> MatchRule = { $0.email != nil ? .email : $0.phone != nil ? .phone : .externalId }
        // One rule per batch: group by the identifier each contact is found by, in one commit each.
        var results = [Result<UpsertOutcome, ContactError>]()
        for match in [MatchRule.email, .phone, .externalId] {
            let group = items.filter { rule($0.input) == match }
            if group.isEmpty { continue }
            results += try await contacts.upsert(group, match: match, options: UpsertOptions(create: false), channel: .api, actor: actor)
        }
        let added = results.filter { if case .success(.updated) = $0 { true } else { false } }.count
        if let failure = results.compactMap({ if case .failure(let error) = $0 { error } else { nil } }).first {
            throw ContactProblems.problem(for: failure, paths: [:])
        }
        return try Self.json(encoding: MembersReply(segment: segment, added: added, alreadyMembers: results.count - added))
    }
}

/// The reply to adding segment members.
struct MembersReply: Encodable {
    let segment: String
    let added: Int
    let alreadyMembers: Int
}

/// The reply to removing a segment member.
struct MemberRemovedReply: Encodable {
    let segment: String
    let id: UInt64
    /// False when the contact was not in the segment (nothing was recorded).
    let removed: Bool
}
