import Foundation
import LedgerStore
import Synchronization

/// Checks the key a request carries against the live key table, which it re-reads from the
/// log when the api-key streams changed (a key made by the CLI in another process works at
/// once, a revoked one stops within `refreshInterval`), and applies the per-key rate limit.
final class ApiKeyGate: Sendable {
    private struct State {
        var table: ApiKeyTable
        var checkedAt: ContinuousClock.Instant
        var buckets: [String: RateBucket] = [:]
    }

    private let ledger: Ledger
    private let state: Mutex<State>
    /// Requests per second per key; nil: no limit.
    let rateLimit: Double?
    /// How long a key table is trusted before the log is asked whether api keys changed.
    static let refreshInterval = Duration.milliseconds(500)

    init(ledger: Ledger, rateLimit: Double?) throws {
        self.ledger = ledger
        self.rateLimit = rateLimit
        state = Mutex(State(table: try ApiKeyTable.load(from: ledger), checkedAt: .now))
    }

    /// The live key `secret` names, or nil. The table is checked against the log when it is
    /// older than `refreshInterval` (a revocation takes effect within it) and whenever a secret
    /// is not found (a key made a moment ago works at once), and re-read when it changed.
    func authenticate(secret: String) throws -> ApiKeyRecord? {
        let (table, stale) = state.withLock { state in (state.table, state.checkedAt.duration(to: .now) > Self.refreshInterval) }
        let found = table.authenticate(secret: secret)
        if found != nil, !stale { return found }
        guard try !table.isCurrent(in: ledger) else {
            state.withLock { $0.checkedAt = .now }
            return found
        }
        let fresh = try ApiKeyTable.load(from: ledger)
        state.withLock { state in
            state.table = fresh
            state.checkedAt = .now
        }
        return fresh.authenticate(secret: secret)
    }

    /// Nil when `key` may make another request now, else how many seconds to wait.
    func retryAfter(for key: String) -> Int? {
        guard let rateLimit else { return nil }
        return state.withLock { state in
            // A burst of one second's worth, and at least one request.
            let burst = max(1, rateLimit)
            var bucket = state.buckets[key] ?? RateBucket(tokens: burst, at: .now)
            let wait = bucket.take(rate: rateLimit, burst: burst)
            state.buckets[key] = bucket
            return wait
        }
    }
}

/// A token bucket: `rate` tokens a second, at most `burst` saved up.
struct RateBucket {
    var tokens: Double
    var at: ContinuousClock.Instant

    /// Takes a token; nil when there was one, else the whole seconds until there is.
    mutating func take(rate: Double, burst: Double) -> Int? {
        let now = ContinuousClock.now
        let elapsed = at.duration(to: now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        tokens = min(burst, tokens + seconds * rate)
        at = now
        guard tokens >= 1 else { return max(1, Int(((1 - tokens) / rate).rounded(.up))) }
        tokens -= 1
        return nil
    }
}
