import Foundation
import HTTPTypes
import Hummingbird
import LedgerContacts
import LedgerDomain
import LedgerIdentity
import LedgerProjections
import LedgerStore

extension ApiServer {
    /// The bulk route, `POST /api/v1/contacts`; its answer is recorded for
    /// `GET /api/v1/importstatus/{id}` (`ApiServer+RequestRecords.swift`).
    func addBulkRoutes(to router: Router<ApiRequestContext>) {
        router.post("/api/v1/contacts") { request, context in
            try await self.answering(request, context, route: Self.bulkRoute, limit: ApiLimits.bulkBodyBytes, session: true) { request, context, session in
                try await self.upsertMany(request, context, session: session)
            }
        }
        allow(router, "/api/v1/contacts", [.post])
    }

    /// `POST /api/v1/contacts`: up to 3,000 contacts in one atomic commit, each with its result;
    /// `session` is the answer's `asyncSessionId`.
    func upsertMany(_ request: Request, _ context: ApiRequestContext, session: String?) async throws -> Response {
        let key = try context.require(.contactsWrite)
        let idempotency = try IdempotencyKey(request.headers, apiKey: key.name)
        let bytes = try await Self.jsonBody(request, limit: ApiLimits.bulkBodyBytes)
        let value = try await resolvingFieldIDs(try BodyReader.parse(bytes))
        let (declared, dynamicSegments) = try await contacts.read { book in
            let directory = try book.directory(.present)
            return (try directory.fieldTypes(), Set(try SegmentDirectory(store: directory.store).rules().keys))
        }
        var reader = BodyReader()
        let allowed: Set<String> = ["contacts", "dedupeOn", "contactFields", "customFieldsIDs", "groupNames", "groupNamesExclude"]
        guard let members = reader.object(value, at: "", allowed: allowed) else { try reader.finish(); throw ApiProblem.badRequest("not an object") }
        let match = ContactPayload.matchRule(members, at: "", reader: &reader)
        let groups = reader.strings(members, "groupNames", at: "", maxLength: 200)
        let leaving = BulkOptions.groupsToLeave(members, joining: groups, dynamic: dynamicSegments, reader: &reader)
        let contactFields = members["contactFields"] == nil ? nil : BulkOptions.contactFields(members, reader: &reader)
        var customFields: Set<String>?
        if members["customFieldsIDs"] != nil {
            let ids = try await fieldIDs()
            customFields = BulkOptions.customFields(members, ids: ids, reader: &reader)
        }
        let list = reader.array(members, "contacts", at: "")
        guard list.count <= ApiLimits.bulkContacts else {
            throw ApiProblem(.contentTooLarge, "too-many-contacts", "\(list.count) contacts; a bulk request takes at most \(ApiLimits.bulkContacts)")
        }
        if list.isEmpty, reader.problems.isEmpty { reader.fail("contacts", "is required: 1 to \(ApiLimits.bulkContacts) contacts") }
        // Each contact is read on its own: a value it has wrong rejects it alone, a body of the
        // wrong shape (an unknown field, a wrong type) refuses the whole request.
        var slots = [Slot]()
        for (index, item) in list.enumerated() {
            var own = BodyReader()
            let path = "contacts[\(index)]"
            if var payload = ContactPayload.read(item, at: path, reader: &own, declared: declared) {
                payload.input.segments += groups.filter { !payload.input.segments.contains($0) }
                payload.input.leavingSegments = leaving.filter { !payload.input.segments.contains($0) }
                payload.input.fields = payload.input.fields.filter { field, _ in
                    switch field {
                    case .standard(let standard): contactFields.map { $0.contains(standard.name) } ?? true
                    case .custom(let name): customFields.map { $0.contains(name) } ?? true
                    }
                }
                slots.append(.accepted(payload))
            } else {
                if own.malformed { for problem in own.problems { reader.misshapen(problem.path, problem.message) } }
                slots.append(.rejected(own.problems))
            }
        }
        try reader.finish()

        let (actor, source) = Self.origin(key, context)
        var items = [UpsertItem]()
        var itemSlots = [Int]()
        for (index, slot) in slots.enumerated() {
            guard case .accepted(let payload) = slot else { continue }
            items.append(UpsertItem(input: payload.input, source: source, ids: IdempotencyKey.ids(idempotency, contact: index)))
            itemSlots.append(index)
        }
        var replayed = [Int: BulkReply.Result]()
        if let idempotency {
            replayed = try await earlierTry(idempotency, slots: itemSlots)
        }
        let outcomes = items.isEmpty ? [] : try await contacts.upsert(items, match: match, channel: .api, actor: actor, dryRun: !replayed.isEmpty)
        if replayed.isEmpty { metrics.committed(batch: items.count) }
        var results = [BulkReply.Result]()
        var next = 0
        for (index, slot) in slots.enumerated() {
            switch slot {
            case .rejected(let problems):
                results.append(.init(index: index, result: "rejected", id: nil, reason: problems.first?.message, path: problems.first?.path))
            case .accepted(let payload):
                let outcome = outcomes[next]
                next += 1
                if let earlier = replayed[index] {
                    results.append(earlier)
                    continue
                }
                switch outcome {
                case .success(let done):
                    results.append(.init(index: index, result: Self.word(done), id: done.contact.rawValue, reason: nil, path: nil))
                case .failure(let error):
                    let problem = ContactProblems.problem(for: error, paths: payload.identifierPaths)
                    results.append(.init(index: index, result: "rejected", id: nil, reason: error.message, path: problem.errors.first?.path ?? "contacts[\(index)]"))
                }
            }
        }
        if replayed.isEmpty {
            var pushed = [(contact: StreamID, drafts: [PushTokenDraft])]()
            var slot = 0
            for case .accepted(let payload) in slots {
                if case .success(let done) = outcomes[slot], !payload.pushTokens.isEmpty { pushed.append((done.contact, payload.pushTokens)) }
                slot += 1
            }
            try await recordPushTokens(pushed, actor: actor, source: source)
        }
        let reply = BulkReply(asyncSessionId: session ?? UUID().uuidString.lowercased(), results: results)
        return try Self.json(encoding: reply)
    }

    /// What the first try of a retried bulk did, by slot, from its events' derived ids; empty
    /// when this is the first try.
    func earlierTry(_ idempotency: IdempotencyKey, slots: [Int]) async throws -> [Int: BulkReply.Result] {
        let ledger = ledger
        return try await contacts.read { _ in
            var found = [Int: BulkReply.Result]()
            for index in slots {
                guard let position = try ledger.position(of: idempotency.firstID(contact: index)),
                      let event = try ledger.event(at: position)
                else { continue }
                let word = event.type.name == "contact.created" ? "created" : "updated"
                found[index] = .init(index: index, result: word, id: event.stream.rawValue, reason: nil, path: nil)
            }
            return found
        }
    }

    /// One contact of a bulk body, read or refused.
    enum Slot {
        case accepted(ContactPayload)
        case rejected([FieldProblem])
    }
}

/// The reply to a bulk upsert, and of `importstatus` for its session id.
struct BulkReply: Encodable, Sendable {
    struct Result: Encodable, Sendable {
        let index: Int
        /// created, updated, unchanged or rejected.
        let result: String
        let id: UInt64?
        let reason: String?
        let path: String?
    }

    let asyncSessionId: String
    let results: [Result]
}
