import Crypto
import LedgerDomain
import LedgerStore

/// One API key as its events say: name, scopes, the SHA-256 of its secret, who made it, and
/// whether it was revoked.
public struct ApiKeyRecord: Hashable, Sendable {
    /// The key's name, the actor of what it writes (`api-key:NAME`).
    public let name: String
    /// What it may do.
    public let scopes: Set<ApiScope>
    /// SHA-256 of the secret.
    let secretSHA256: [UInt8]
    /// Its stream in the `apiKey` category.
    public let stream: StreamID
    /// When it was made (microseconds since 1970) and by whom.
    public let createdAt: Int64
    /// Who made it.
    public let createdBy: Actor
    /// When it was revoked, if it was.
    public var revokedAt: Int64?

    /// Whether requests signed with it are served.
    public var isLive: Bool { revokedAt == nil }
}

/// The live table of API keys: a fold over the `apiKey` streams (decision 0020), small enough
/// to hold in memory and rebuilt from the log whenever those streams grow.
public struct ApiKeyTable: Sendable {
    /// Every key ever made, by name, revoked ones included.
    public private(set) var keys: [String: ApiKeyRecord] = [:]
    /// The last position folded in.
    public private(set) var position: UInt64 = 0
    /// The version of each api-key stream read (stream number n at index n - 1).
    public private(set) var versions: [UInt64] = []

    /// An empty table.
    public init() {}

    /// Folds one event of an api-key stream into the table; other families are passed over.
    public mutating func apply(_ event: RecordedEvent) throws {
        position = max(position, event.position)
        guard case .apiKeys(let keyEvent) = try LedgerEvent(decoding: event) else { return }
        switch keyEvent {
        case .created(let created):
            let scopes = Set(created.scopes.compactMap(ApiScope.init(rawValue:)))
            keys[created.name] = ApiKeyRecord(
                name: created.name, scopes: scopes, secretSHA256: created.secretSHA256,
                stream: event.stream, createdAt: event.recordedAt, createdBy: event.actor, revokedAt: nil
            )
        case .revoked(let revoked):
            keys[revoked.name]?.revokedAt = event.recordedAt
        case .requestRecorded:
            // Lives on api-request streams, which the table never reads.
            break
        }
    }

    /// The table as the log says it is now: every api-key stream, 1 up to the first that has
    /// no events (each category numbers its streams densely from 1, decision 0014).
    public static func load(from ledger: Ledger) throws -> ApiKeyTable {
        var table = ApiKeyTable()
        try table.update(from: ledger)
        return table
    }

    /// Reads the api-key streams made, or grown, since the table was loaded. Keys are few:
    /// every stream is re-read, which keeps the fold trivially right.
    public mutating func update(from ledger: Ledger) throws {
        var fresh = ApiKeyTable()
        var number: UInt64 = 1
        while true {
            let events = try ledger.readStream(StreamID(category: .apiKey, number: number))
            if events.isEmpty { break }
            for event in events { try fresh.apply(event) }
            fresh.versions.append(events.last?.version ?? 0)
            number += 1
        }
        fresh.position = max(fresh.position, position)
        self = fresh
    }

    /// Whether the log still says what the table holds: no api-key stream grew and none was
    /// added. One read of the stream index for every key and one more: cheap beside a request.
    public func isCurrent(in ledger: Ledger) throws -> Bool {
        let streams = (1...UInt64(versions.count + 1)).map { StreamID(category: .apiKey, number: $0) }
        return try ledger.versions(of: streams) == versions + [0]
    }

    /// The live key whose secret is `secret`, or nil. Every live key's hash is compared in full,
    /// without stopping at a match, so the time taken says nothing about which keys exist.
    public func authenticate(secret: String) -> ApiKeyRecord? {
        let presented = Array(SHA256.hash(data: Array(secret.utf8)))
        var found: ApiKeyRecord?
        for record in keys.values where record.isLive {
            if Self.constantTimeEqual(presented, record.secretSHA256) { found = record }
        }
        return found
    }

    /// Equality of two byte strings whose time depends only on their lengths.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
