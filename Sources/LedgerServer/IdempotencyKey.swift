import Crypto
import HTTPTypes
import LedgerDomain

/// A request's `Idempotency-Key`, kept in the ledger itself: the ids of the events a request
/// writes are derived from the API key's name and the idempotency key (like an import's ids
/// from its file and row), so a retry finds its first try's events by id, in this process or
/// after a restart, and answers from them without writing anything.
struct IdempotencyKey: Sendable {
    /// The namespace of the request's event ids.
    let namespace: UInt64
    /// The id its answer is recorded under (`apikey.request-recorded`, decision 0024), in the
    /// form of a UUID: a bulk's `asyncSessionId`. Derived from the same digest, so a retry
    /// finds the first try's answer, after a restart too.
    let session: String

    /// The longest key accepted.
    static let maximumLength = 255

    /// The header's key for requests signed by `apiKey`; nil without the header; 400 for one
    /// that is empty, too long or not printable ASCII.
    init?(_ headers: HTTPFields, apiKey: String) throws {
        guard let text = headers[.idempotencyKey] else { return nil }
        guard !text.isEmpty, text.utf8.count <= Self.maximumLength, text.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) else {
            throw ApiProblem.badRequest("Idempotency-Key must be 1 to \(Self.maximumLength) printable ASCII characters")
        }
        let digest = Array(SHA256.hash(data: Array("contactledger.idempotency\u{0}\(apiKey)\u{0}\(text)".utf8)))
        namespace = digest.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
        session = Self.uuidText(Array(digest[8..<24]))
    }

    /// The ids of contact `index`'s events (0 for a single-contact request).
    func ids(contact index: Int) -> @Sendable (Int) -> EventID {
        EventID.sourceRow(namespace: namespace, row: UInt64(index))
    }

    /// The ids of contact `index`'s events under `key`, or new time-ordered ids without one.
    static func ids(_ key: IdempotencyKey?, contact index: Int) -> @Sendable (Int) -> EventID {
        guard let key else { return { _ in EventID.timeOrdered() } }
        return key.ids(contact: index)
    }

    /// 16 bytes written as a UUID (8-4-4-4-12 lowercase hex digits).
    static func uuidText(_ bytes: [UInt8]) -> String {
        let hex = bytes.map { byte in String(byte >> 4, radix: 16) + String(byte & 15, radix: 16) }.joined()
        let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
        return parts.joined(separator: "-")
    }

    /// The id of contact `index`'s first event, by which a retry finds it.
    func firstID(contact index: Int) -> EventID {
        ids(contact: index)(0)
    }
}
