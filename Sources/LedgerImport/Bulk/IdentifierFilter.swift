import LedgerContacts
import LedgerDomain
import LedgerProjections

/// The identifiers the contact projection may hold, kept by a bulk import across its batches,
/// so that an identifier the projection certainly lacks (a new contact's) is not looked up in
/// it. In an import of new contacts those look-ups missed on cold index pages and were a fifth
/// of the importing thread (decision 0012).
///
/// The filter answers for a projection snapshot only when it holds a superset of the
/// snapshot's identifiers. It is built from one snapshot (every index key, plus the identifiers
/// of the batch in flight), takes every identifier a plan adds (`insert`), and follows the
/// projection only through batches the import itself records, one run of log positions after
/// another (`advance`). Once the projection holds anything else (another writer's contacts,
/// a catch-up from the log), a snapshot past what the filter covers is answered by look-ups
/// again, and the filter is built anew from the index when that has become worth it.
///
/// Used on the importing thread only, through `ImportPlanAid`: the plain upsert path
/// (`ContactBook.upsert`) never sees it.
public final class IdentifierFilter {
    /// Identifiers the rest of the import may still add: the filter is sized for those and the
    /// projection's when it is built. A guess (the rows left times two) is enough; a filter
    /// holding more than it was sized for answers "maybe" more often, never wrongly "no".
    public var expectedAdditions: Int

    private var bloom: SplitBlockBloomFilter?
    /// The projection checkpoints whose identifiers `bloom` holds (all of them, and more).
    private var covered: ClosedRange<UInt64>?
    /// Identifier questions the projection answered "none" (looked up, or ruled out by the
    /// filter): what builds pay for.
    private var absent = 0
    /// Index keys read by builds so far.
    private var scanned = 0
    /// How many builds read the projection's index.
    public private(set) var builds = 0
    /// Questions ruled out by the filter without a look-up.
    public private(set) var ruledOut = 0
    /// Look-ups the filter let through that found nothing (false "maybe" answers, and look-ups
    /// made while the filter did not cover the snapshot).
    public private(set) var missedLookups = 0

    /// An empty filter, built when first asked about a snapshot.
    public init(expectedAdditions: Int = 0) {
        self.expectedAdditions = expectedAdditions
    }

    /// Builds must stay cheaper than what they save: reading an index key costs a fraction of a
    /// look-up that misses on a cold page, so the keys read by all builds are kept below this
    /// many per question answered "none".
    static let scannedPerAbsent = 2

    /// Whether the filter may answer for `snapshot`, building it from the snapshot (and
    /// `carried`, the identifiers of the batch in flight, by `BatchPlan.slot`)
    /// when it does not cover it and a build has become worth its reading.
    func covers(_ snapshot: ContactDirectory.Snapshot, carried: [[String: BatchPlan.Key?]]?) throws -> Bool {
        let checkpoint = try snapshot.checkpoint()
        if bloom != nil, let covered, covered.contains(checkpoint) { return true }
        bloom = nil
        covered = nil
        let held = try snapshot.identifierCount()
        guard held == 0 || scanned + held <= absent * Self.scannedPerAbsent else { return false }
        let carriedCount = carried?.reduce(0) { $0 + $1.count } ?? 0
        let built = SplitBlockBloomFilter(capacity: Self.capacity(held: held + carriedCount, expected: expectedAdditions))
        try snapshot.forEachIdentifier { kind, value in built.insert(Self.hash(kind, value)) }
        if let carried {
            for kind in IdentifierKind.allCases {
                for value in carried[BatchPlan.slot(kind)].keys { built.insert(Self.hash(kind, value)) }
            }
        }
        bloom = built
        covered = checkpoint...checkpoint
        scanned += held
        builds += 1
        return true
    }

    /// The identifiers a filter is sized for: those held, and those expected, at most
    /// `maximumCapacity` in all (an estimate made early in a file of tiny rows can be far
    /// off; a filter holding more than it was sized for only answers "maybe" more often).
    static func capacity(held: Int, expected: Int) -> Int {
        min(held + min(max(expected, 0), maximumCapacity), maximumCapacity)
    }

    /// 24 M identifiers: 36 MB of filter, about what a 300 MB file of the shortest rows with
    /// an e-mail and a phone each could add.
    static let maximumCapacity = 24_000_000

    /// False when the projection (as of a snapshot `covers` accepted, with the identifiers
    /// inserted since) certainly holds no identifier with `hash` (`hash(_:_:)`).
    func mayHold(hash: UInt64) -> Bool {
        guard let bloom else { return true }
        if bloom.mayContain(hash) { return true }
        ruledOut += 1
        absent += 1
        return false
    }

    /// The hashes of the identifiers `items` were normalised to ahead (0: none, or not
    /// normalised yet), three to an item by `BatchPlan.slot`, with the filter's
    /// blocks for them loaded: one pass whose loads overlap, instead of a cache miss for each
    /// question while a batch is planned.
    func hashes(of items: [UpsertItem]) -> [UInt64] {
        let kinds = BatchPlan.kinds
        var hashes = [UInt64](repeating: 0, count: items.count * kinds.count)
        for row in items.indices {
            guard case .success(let identifiers) = items[row].identifiers else { continue }
            for kind in kinds {
                if let value = identifiers[kind] { hashes[row * kinds.count + BatchPlan.slot(kind)] = Self.hash(kind, value) }
            }
        }
        bloom?.load(hashes)
        return hashes
    }

    /// Notes a look-up of the projection and whether it found a holder.
    func looked(found: Bool) {
        guard !found else { return }
        missedLookups += 1
        absent += 1
    }

    /// Adds an identifier a plan gives a contact: the projection may hold it once the plan's
    /// batch is recorded.
    func insert(_ kind: IdentifierKind, _ value: String) {
        bloom?.insert(Self.hash(kind, value))
    }

    /// `insert`, for an identifier whose hash is known.
    func insert(hash: UInt64) {
        bloom?.insert(hash)
    }

    /// The projection recorded the import's batch at `positions`: the filter still covers it
    /// when the batch follows what it covered, its identifiers having been inserted when it
    /// was planned.
    func advance(through positions: ClosedRange<UInt64>) {
        guard let covered, positions.lowerBound == covered.upperBound + 1 else { return }
        self.covered = covered.lowerBound...positions.upperBound
    }

    /// The hash of an identifier as the index stores it (UTF-8), with its kind; never 0, which
    /// `hashes(of:)` uses for "none".
    static func hash(_ kind: IdentifierKind, _ value: UnsafeRawBufferPointer) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(BatchPlan.slot(kind))
        hasher.combine(bytes: value)
        return max(1, UInt64(UInt(bitPattern: hasher.finalize())))
    }

    static func hash(_ kind: IdentifierKind, _ value: String) -> UInt64 {
        if let hash = value.utf8.withContiguousStorageIfAvailable({ hash(kind, UnsafeRawBufferPointer($0)) }) {
            return hash
        }
        var copy = value
        return copy.withUTF8 { hash(kind, UnsafeRawBufferPointer($0)) }
    }
}
