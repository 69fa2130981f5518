import LedgerDomain

/// How many requests left each channel in each consent status by the events they recorded:
/// what an import's summary states ("2,000 contacts: email confirmed by import"), so that nobody
/// grants consent without seeing it.
public struct ConsentTally: Sendable, Hashable {
    /// What a request's consent events did to one channel: the last of them.
    public enum Outcome: Int, Sendable, CaseIterable {
        case subscribed = 1
        case confirmed = 2
        case unsubscribed = 3

        /// The word the summary uses.
        public var label: String {
            switch self {
            case .subscribed: "subscribed"
            case .confirmed: "confirmed"
            case .unsubscribed: "unsubscribed"
            }
        }
    }

    /// What one request's events did, two bits per channel (0: nothing), so a prepared
    /// request carries it in a byte.
    public struct Row: Sendable, Hashable {
        var bits: UInt8 = 0

        /// Nothing recorded.
        public init() {}

        /// What `events` did to each channel: the last consent event of each.
        ///
        /// An array, not any sequence: a bulk import's preparer calls this from another module
        /// for every new contact, where a generic sequence was walked through its witness table
        /// (a tenth of the cost of folding the contact's state).
        package init(_ events: [ContactEvent]) {
            for index in events.indices {
                switch events[index] {
                case .consentGranted(let granted):
                    set(granted.scope.channel, granted.status == .confirmed ? .confirmed : .subscribed)
                case .contactCreated(let created):
                    for consent in created.consents { set(consent.scope.channel, consent.status == .confirmed ? .confirmed : .subscribed) }
                case .consentWithdrawn(let withdrawn):
                    set(withdrawn.scope.channel, .unsubscribed)
                case .consentConfirmed(let confirmed):
                    set(confirmed.scope.channel, .confirmed)
                default:
                    continue
                }
            }
        }

        private static func shift(_ channel: ConsentChannel) -> UInt8 {
            switch channel {
            case .email: 0
            case .sms: 2
            case .webpush: 4
            case .mobilepush: 6
            }
        }

        mutating func set(_ channel: ConsentChannel, _ outcome: Outcome) {
            let shift = Self.shift(channel)
            bits = bits & ~(3 << shift) | UInt8(outcome.rawValue) << shift
        }

        /// What the request did to `channel`, nil when nothing.
        public func outcome(_ channel: ConsentChannel) -> Outcome? {
            Outcome(rawValue: Int(bits >> Self.shift(channel) & 3))
        }
    }

    /// Requests per channel and outcome.
    private var counts = [Int](repeating: 0, count: ConsentChannel.allCases.count * 3)

    /// An empty tally.
    public init() {}

    private static func slot(_ channel: ConsentChannel, _ outcome: Outcome) -> Int {
        (ConsentChannel.allCases.firstIndex(of: channel) ?? 0) * 3 + outcome.rawValue - 1
    }

    /// Counts one request.
    public mutating func add(_ row: Row) {
        guard row.bits != 0 else { return }
        for channel in ConsentChannel.allCases {
            if let outcome = row.outcome(channel) { counts[Self.slot(channel, outcome)] += 1 }
        }
    }

    /// Adds another tally.
    public mutating func add(_ other: ConsentTally) {
        for index in counts.indices { counts[index] += other.counts[index] }
    }

    /// Requests that left `channel` in `outcome`.
    public func count(_ channel: ConsentChannel, _ outcome: Outcome) -> Int {
        counts[Self.slot(channel, outcome)]
    }

    /// The non-zero counts, by channel, then outcome.
    public var entries: [(channel: ConsentChannel, outcome: Outcome, requests: Int)] {
        ConsentChannel.allCases.flatMap { channel in
            Outcome.allCases.compactMap { outcome in
                let count = count(channel, outcome)
                return count > 0 ? (channel, outcome, count) : nil
            }
        }
    }
}
