import Crypto
import Foundation
import Synchronization

/// The abuse limits of submissions, in memory: a request rate per form and per IP address
/// (answered with 429), and duplicates within a minute absorbed (answered as the first one
/// was, recording nothing).
///
/// In memory on purpose: a restart forgets them, which costs at most one more minute of
/// duplicates or one more burst; a submission recorded twice is harmless (the second finds
/// everything said already and records nothing but a new confirmation request).
public final class SubmissionGuard: Sendable {
    /// Submissions one IP address may make per minute.
    public let perAddress: Int
    /// Submissions one form may take per minute.
    public let perForm: Int
    /// How long a submission's digest is remembered.
    public static let duplicateWindow: Int64 = 60_000_000

    private struct State {
        var addressHits: [String: [Int64]] = [:]
        var formHits: [String: [Int64]] = [:]
        var seen: [[UInt8]: Int64] = [:]
        var lastSweep: Int64 = 0
    }

    private let state = Mutex(State())

    /// Limits of `perAddress` and `perForm` submissions a minute.
    public init(perAddress: Int = 20, perForm: Int = 1_200) {
        self.perAddress = perAddress
        self.perForm = perForm
    }

    /// Counts a submission to `form` from `address` at `now` (microseconds); the seconds to
    /// wait when it is over a limit, else nil.
    public func admit(form: String, address: String?, now: Int64) -> Int? {
        state.withLock { state in
            sweep(&state, now: now)
            let since = now - 60_000_000
            var formHits = state.formHits[form, default: []].filter { $0 > since }
            var addressHits = address.map { state.addressHits[$0, default: []].filter { $0 > since } } ?? []
            let over = formHits.count >= perForm || (address != nil && addressHits.count >= perAddress)
            if over {
                let oldest = (formHits.count >= perForm ? formHits.first : addressHits.first) ?? now
                return max(1, Int((oldest + 60_000_000 - now + 999_999) / 1_000_000))
            }
            formHits.append(now)
            state.formHits[form] = formHits
            if let address {
                addressHits.append(now)
                state.addressHits[address] = addressHits
            }
            return nil
        }
    }

    /// Whether the same submission (form and values) was seen within the last minute; remembers
    /// it either way.
    public func isDuplicate(form: String, values: [String: String], now: Int64) -> Bool {
        var text = form
        for (key, value) in values.sorted(by: { $0.key < $1.key }) { text += "\u{0}\(key)\u{0}\(value)" }
        let digest = Array(SHA256.hash(data: Array(text.utf8)))
        return state.withLock { state in
            sweep(&state, now: now)
            if let seen = state.seen[digest], now - seen < Self.duplicateWindow { return true }
            state.seen[digest] = now
            return false
        }
    }

    private func sweep(_ state: inout State, now: Int64) {
        guard now - state.lastSweep > 10_000_000 else { return }
        state.lastSweep = now
        let since = now - 60_000_000
        state.seen = state.seen.filter { $0.value > since }
        state.addressHits = state.addressHits.compactMapValues { hits in
            let kept = hits.filter { $0 > since }
            return kept.isEmpty ? nil : kept
        }
        state.formHits = state.formHits.compactMapValues { hits in
            let kept = hits.filter { $0 > since }
            return kept.isEmpty ? nil : kept
        }
    }
}
