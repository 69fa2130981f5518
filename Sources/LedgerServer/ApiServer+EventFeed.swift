import Foundation
import Hummingbird
import LedgerDomain
import LedgerProjections
import LedgerStore
import NIOCore
import ServiceLifecycle

extension ApiServer {
    /// Events read from the log per wake-up while following.
    static let followBatch = 1_000

    /// A query flag: absent, `false` or `0` is false; `true`, `1` or a bare `?name` is true;
    /// anything else is a 400 naming the parameter.
    static func flag(_ text: String?, name: String) throws -> Bool {
        switch text {
        case nil, "false", "0": return false
        case "true", "1", "": return true
        default:
            throw ApiProblem.badRequest("\(name) must be true or false", errors: [FieldProblem(path: "query.\(name)", message: "is not true or false")])
        }
    }

    /// `GET /api/v1/events?from=N&follow=true[&limit=M]`: NDJSON envelopes from position N,
    /// then each new one as it is committed, until the client goes, `limit` events were sent,
    /// or the server shuts down: then the response ends cleanly (the last chunk is sent), so a
    /// client tells a finished stream from a broken connection and resumes at one past the
    /// last position it read.
    ///
    /// The stream waits on the ledger's append wake-ups, the same the projections follow
    /// with (`Ledger.appendWakeups`): a commit of this process wakes it at once, another
    /// process's within the poll interval; a burst of commits is one wake-up and one read.
    func followEvents(from: UInt64, limit: Int?) -> Response {
        let ledger = ledger
        let contacts = contacts
        let body = ResponseBody { writer in
            // Wake-ups come from the ledger, and end on a graceful shutdown or when the ledger
            // closes; subscribed before the first read, so no commit falls between.
            let (wake, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
            let relay = Task {
                for await _ in ledger.appendWakeups() { continuation.yield() }
                continuation.finish()
            }
            defer { relay.cancel() }
            var next = from
            var remaining = limit ?? .max
            try await withGracefulShutdownHandler {
                var wakeups = wake.makeAsyncIterator()
                while remaining > 0 {
                    let count = min(remaining, Self.followBatch)
                    let start = next
                    let page = try await contacts.read { _ in try Self.envelopes(ledger, from: start, limit: count) }
                    if !page.bytes.isEmpty { try await writer.write(ByteBuffer(bytes: page.bytes)) }
                    remaining -= page.count
                    next = page.next ?? next
                    if page.count < count {
                        guard await wakeups.next() != nil, !Task.isCancelled else { break }
                    }
                }
            } onGracefulShutdown: {
                continuation.finish()
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/x-ndjson"], body: body)
    }

    /// Up to `limit` envelopes from `from` as NDJSON, how many, and the position after the last.
    /// A key ring per page: a contact erased while a client follows shows as erased from then on.
    static func envelopes(_ ledger: Ledger, from: UInt64, limit: Int) throws -> (bytes: [UInt8], count: Int, next: UInt64?) {
        let keys = ledger.keyRing()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var out = [UInt8]()
        var count = 0
        var next: UInt64?
        try ledger.forEachEvent(from: from, limit: limit) { event in
            let personal = try? keys.personalData(of: event)
            let document = EnvelopeDocument(event, payload: (try? LedgerEvent(decoding: event, personalData: personal)).flatMap(\.jsonPayload))
            out.append(contentsOf: try encoder.encode(document))
            out.append(0x0A)
            count += 1
            next = event.position + 1
        }
        return (out, count, next)
    }
}
