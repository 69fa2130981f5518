import LedgerDomain

/// Which rules of a set read what, so that a contact event finds the rules it can change in
/// one look-up per changed field instead of asking each rule (`RuleReads.affected(by:)`, whose
/// answers these are; a test compares them): with 100 rules, asking each was a set look-up
/// per rule for every event.
struct RuleReaders: Sendable {
    private let count: Int
    private var everyEvent: [Int] = []
    private var byField: [ContactField: [Int]] = [:]
    private var identifiers: [Int] = []
    private var consent: [Int] = []
    private var withdrawals: [Int] = []
    private var staticSegments: [Int] = []
    /// Per rule, by index, whether it reads the facts (`SegmentFacts`), and their field times.
    let readsFacts: [Bool]
    let readsFieldTimes: [Bool]

    /// The readers of rules that read `reads`, by index.
    init(_ reads: [RuleReads]) {
        count = reads.count
        readsFacts = reads.map(\.facts)
        readsFieldTimes = reads.map(\.fieldTimes)
        for (index, read) in reads.enumerated() {
            if read.everyEvent { everyEvent.append(index) }
            for field in read.fields { byField[field, default: []].append(index) }
            if read.identifiers { identifiers.append(index) }
            if read.consent { consent.append(index) }
            if read.withdrawals { withdrawals.append(index) }
            if read.staticSegments { staticSegments.append(index) }
        }
    }

    /// Per rule, by index, whether an event of this kind can change its answer. Creation
    /// (with whatever identifiers and fields it carries, decision 0026), merges and erasure can
    /// change anything.
    func affected(by event: ContactEvent) -> [Bool] {
        var affected = [Bool](repeating: false, count: count)
        func mark(_ indexes: [Int]) {
            for index in indexes { affected[index] = true }
        }
        switch event {
        case .contactCreated, .contactMerged, .contactMergedAway, .contactErased:
            return [Bool](repeating: true, count: count)
        case .contactFieldsChanged(let changed):
            for change in changed.changes { mark(byField[change.field] ?? []) }
        case .identifierAdded, .identifierRemoved:
            mark(identifiers)
        case .consentGranted, .consentConfirmationRequested, .consentConfirmed:
            mark(consent)
        case .consentWithdrawn:
            mark(consent)
            mark(withdrawals)
        case .segmentMemberAdded, .segmentMemberRemoved:
            mark(staticSegments)
        case .fieldDefined:
            break
        }
        mark(everyEvent)
        return affected
    }
}
