import Crypto
import Foundation
import LedgerDomain
import LedgerStore
import Synchronization

/// Makes and revokes API keys: each is an event on the key's own `apiKey` stream, so
/// `audit actor` shows who made which key. Only the SHA-256 of a secret is recorded; the
/// secret itself is returned once, to be shown once.
public final class ApiKeyBook: Sendable {
    /// The ledger written to.
    public let ledger: Ledger
    private let lock = Mutex(())
    /// Held by every key command of every process, so two never make one name twice.
    private let writers: ProcessLock

    /// Opens the key book of `ledger`.
    public init(ledger: Ledger) throws {
        self.ledger = ledger
        writers = try ledger.processLock(named: "apikeys")
    }

    /// The longest key name.
    public static let maximumNameLength = 64

    /// A new key's secret: `clk_` and 64 hex digits of 256 random bits from the system's CSPRNG.
    static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return "clk_" + bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// Checks a key name: 1 to 64 of a-z, 0-9, `.`, `_` and `-`, starting with a letter or digit.
    public static func validate(name: String) throws(ApiKeyError) {
        let allowed = name.utf8.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2E || byte == 0x5F || byte == 0x2D
        }
        guard !name.isEmpty, name.utf8.count <= maximumNameLength, allowed,
              let first = name.utf8.first, first != 0x2E, first != 0x5F, first != 0x2D
        else {
            throw ApiKeyError(.invalidName, "a key name is 1 to \(maximumNameLength) characters of a-z, 0-9, '.', '_' and '-', starting with a letter or digit")
        }
    }

    /// Makes key `name` with `scopes`; returns its record and the secret, which is nowhere else.
    public func create(name: String, scopes: [ApiScope], actor: Actor, source: Source) throws -> (record: ApiKeyRecord, secret: String) {
        try Self.validate(name: name)
        guard !scopes.isEmpty else { throw ApiKeyError(.invalidScope, "a key needs at least one scope") }
        let secret = Self.newSecret()
        let created = ApiKeyCreated(name: name, scopes: scopes.map(\.rawValue), secretSHA256: Array(SHA256.hash(data: Array(secret.utf8))))
        return try exclusive {
            let table = try ApiKeyTable.load(from: ledger)
            if table.keys[name] != nil {
                throw ApiKeyError(.exists, "a key named \(name) exists already (a revoked name is not reused: audit lines name keys)")
            }
            let event = ApiKeyEvent.created(created).newEvent(actor: actor, source: source)
            _ = try ledger.append(AppendRequest(target: .newIn(.apiKey), expected: .noStream, events: [event]))
            guard let record = try ApiKeyTable.load(from: ledger).keys[name] else {
                throw ApiKeyError(.notFound, "key \(name) was recorded but cannot be read back")
            }
            return (record, secret)
        }
    }

    /// Revokes live key `name`: requests signed with it get 401 from then on.
    public func revoke(name: String, actor: Actor, source: Source) throws -> ApiKeyRecord {
        try exclusive {
            let table = try ApiKeyTable.load(from: ledger)
            guard let record = table.keys[name], record.isLive else {
                throw ApiKeyError(.notFound, "no live key is named \(name); `ledger apikey list` shows the keys")
            }
            let version = try ledger.version(of: record.stream)
            let event = ApiKeyEvent.revoked(ApiKeyRevoked(name: name)).newEvent(actor: actor, source: source)
            _ = try ledger.append(AppendRequest(target: .existing(record.stream), expected: .exact(version), events: [event]))
            return try ApiKeyTable.load(from: ledger).keys[name] ?? record
        }
    }

    /// Every key, revoked ones included, by name.
    public func list() throws -> [ApiKeyRecord] {
        try ApiKeyTable.load(from: ledger).keys.values.sorted { $0.name < $1.name }
    }

    private func exclusive<Result: Sendable>(_ body: () throws -> Result) throws -> Result {
        try lock.withLock { _ in try writers.withLock(body) }
    }
}
