import Foundation
import LedgerDomain

/// What a rule is evaluated against besides the contact: the time it is evaluated at, and
/// the contact's membership of the dynamic segments it may name (filled in dependency order).
public struct RuleContext: Sendable {
    /// The evaluation's time, in microseconds since 1970 (an event's recording time, so that
    /// a fold of the log always evaluates the same way).
    public var now: Int64
    /// `now`'s UTC date, as days since 1970.
    public var today: Int64
    /// Whether the contact is in each dynamic segment, by the index the compiler was given.
    public var dynamicMembers: [Bool]

    /// A context at `now`, with room for `segments` dynamic memberships.
    public init(now: Int64, segments: Int = 0) {
        self.now = now
        today = CalendarDate(utcDayOf: now).daysSinceEpoch
        dynamicMembers = Array(repeating: false, count: segments)
    }

    /// Moves the clock.
    public mutating func setNow(_ time: Int64) {
        now = time
        today = CalendarDate(utcDayOf: time).daysSinceEpoch
    }
}

/// A rule compiled once into a tree of closures: evaluating it allocates nothing per contact
/// (the rule's operands are converted when it is compiled, not when it is asked).
///
/// It is compiled twice from the same code (`compile`, generic over `RuleSubject`): for
/// decoded states, and for stored states read in place (`StoredContactState`), which passes
/// over every contact use.
public struct CompiledRule: Sendable {
    /// The test.
    public let test: @Sendable (ContactState, SegmentFacts, RuleContext) -> Bool
    /// The same test over a stored state read in place.
    let storedTest: Test<StoredContactState>

    /// Compiles `rule`; `dynamic` gives the index in `RuleContext.dynamicMembers` of each
    /// dynamic segment (a segment named but not there is a static one).
    public init(_ rule: SegmentRule, dynamic: [String: Int] = [:]) {
        test = Self.compile(rule, dynamic: dynamic)
        storedTest = Self.compile(rule, dynamic: dynamic)
    }

    /// Whether a contact is in the segment. An erased or merged-away contact is in none.
    @inline(__always)
    public func matches(_ state: ContactState, facts: SegmentFacts, context: RuleContext) -> Bool {
        guard !state.erased, state.mergedInto == nil else { return false }
        return test(state, facts, context)
    }

    /// Whether a contact, read in place from its stored bytes, is in the segment.
    @inline(__always)
    func matches(_ state: StoredContactState, facts: SegmentFacts, context: RuleContext) -> Bool {
        guard !state.isErased, !state.isMergedAway else { return false }
        return storedTest(state, facts, context)
    }

    typealias Test<Subject> = @Sendable (Subject, SegmentFacts, RuleContext) -> Bool

    static func compile<Subject: RuleSubject>(_ rule: SegmentRule, dynamic: [String: Int]) -> Test<Subject> {
        switch rule {
        case .all(let rules):
            return chain(rules[...], dynamic: dynamic, all: true)
        case .any(let rules):
            return chain(rules[...], dynamic: dynamic, all: false)
        case .not(let inner):
            let test: Test<Subject> = compile(inner, dynamic: dynamic)
            return { !test($0, $1, $2) }
        case .field(let condition):
            return compileField(condition)
        case .consent(let condition):
            return compileConsent(condition)
        case .hasIdentifier(let kind):
            return { state, _, _ in state.hasIdentifier(kind) }
        case .segment(let name):
            if let index = dynamic[name] {
                return { _, _, context in index < context.dynamicMembers.count && context.dynamicMembers[index] }
            }
            return { state, _, _ in state.inStaticSegment(name) }
        case .history(let condition):
            return compileHistory(condition)
        }
    }

    /// `rules` joined by `&&` (`all`) or `||`, as a chain of closures that each hold the next.
    ///
    /// Not an array of tests walked in a loop: a closure stored in an array is kept in its
    /// most general form, so every call of a condition went through a conversion thunk, and
    /// the walk retained and released each (about half of evaluating a rule, for a contact
    /// event's 50 rules).
    static func chain<Subject: RuleSubject>(_ rules: ArraySlice<SegmentRule>, dynamic: [String: Int], all: Bool) -> Test<Subject> {
        guard let first = rules.first else {
            let empty: Test<Subject> = { _, _, _ in all }
            return empty
        }
        let head: Test<Subject> = compile(first, dynamic: dynamic)
        guard rules.count > 1 else { return head }
        let rest: Test<Subject> = chain(rules.dropFirst(), dynamic: dynamic, all: all)
        if all {
            let both: Test<Subject> = { head($0, $1, $2) && rest($0, $1, $2) }
            return both
        }
        let either: Test<Subject> = { head($0, $1, $2) || rest($0, $1, $2) }
        return either
    }

    // MARK: Consent

    static func compileConsent<Subject: RuleSubject>(_ condition: ConsentCondition) -> Test<Subject> {
        let wanted = condition.status
        @Sendable func holds(_ status: ConsentStatus?) -> Bool {
            let status = status ?? .unsubscribed
            switch wanted {
            case .confirmed: return status == .confirmed
            case .subscribed: return status != .unsubscribed
            case .subscribedUnconfirmed: return status == .subscribedUnconfirmed
            case .unsubscribed: return status == .unsubscribed
            }
        }
        if let purpose = condition.purpose {
            let scope = ConsentScope(channel: condition.channel, purpose: purpose)
            return { state, _, _ in holds(state.consentStatus(scope)) }
        }
        let channel = condition.channel
        if wanted == .unsubscribed {
            // On every purpose of the channel: no scope of it is subscribed.
            return { state, _, _ in !state.anyConsent(on: channel) { $0 != .unsubscribed } }
        }
        return { state, _, _ in state.anyConsent(on: channel) { holds($0) } }
    }

    // MARK: History

    static let microsecondsPerDay: Int64 = 86_400_000_000

    static func compileHistory<Subject: RuleSubject>(_ condition: HistoryCondition) -> Test<Subject> {
        switch condition {
        case .imported(let days, let file):
            let span = Int64(days) * microsecondsPerDay
            return { _, facts, context in
                guard let at = facts.lastImportAt, at <= context.now, context.now - at <= span else { return false }
                guard let file else { return true }
                return facts.lastImportFile == file
            }
        case .fieldChanged(let field, let since):
            return { _, facts, _ in (facts.fieldChangedAt[field] ?? .min) >= since }
        case .fieldChangedWithin(let field, let days):
            let span = Int64(days) * microsecondsPerDay
            return { _, facts, context in
                guard let at = facts.fieldChangedAt[field] else { return false }
                return at <= context.now && context.now - at <= span
            }
        case .consentWithdrawn(let days, let channel):
            let span = Int64(days) * microsecondsPerDay
            return { _, facts, context in
                for (withdrawnOn, at) in facts.consentWithdrawnAt where channel == nil || withdrawnOn == channel {
                    if at <= context.now && context.now - at <= span { return true }
                }
                return false
            }
        case .createdBy(let match):
            return { _, facts, _ in
                guard let actor = facts.createdBy, actor.kind.rawValue == match.kind else { return false }
                return match.name == nil || actor.name == match.name
            }
        case .lastChangedVia(let label):
            let code = HistoryCondition.sourceKinds.first { $0.kindLabel == label }?.kindCode
            return { _, facts, _ in facts.lastChangeSource == code }
        }
    }
}
