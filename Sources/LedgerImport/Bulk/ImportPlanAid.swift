import LedgerContacts
import LedgerDomain
import LedgerProjections
import LedgerStore

/// What an import lays over each batch's plan (`BatchAid`, decision 0025): the import's
/// `IdentifierFilter`, the batch still in flight (`InFlightBatch`, while the writer appends
/// it), and the new contacts its preparer decided ahead (`PreparedCreation`, on the items).
/// The plain upsert path has none of these; each is optional here, and a plan with this aid
/// decides every request exactly as the plain path does (`UpsertPipelineTests`,
/// `PreparedCreationTests`).
///
/// One per plan, used on the importing thread only.
final class ImportPlanAid: BatchAid {
    /// The book the plan decides for (debug builds check prepared creations against it).
    let book: ContactBook
    /// The import's filter, kept across its pipelines (nil: every identifier is looked up).
    let filter: IdentifierFilter?
    /// The batch in flight, until the plan is settled after its append (`UpsertPipeline`).
    var batchInFlight: InFlightBatch?
    /// Whether the filter covers the snapshot the plan reads (`begin`).
    private var filtering = false
    /// The filter hashes of the batch's normalised identifiers, three a row by
    /// `BatchPlan.slot` (0: none); empty when not filtering.
    private var hashes: [UInt64] = []

    /// An aid with `filter`, and `inFlight` (the batch the writer appends) laid over the projection.
    init(book: ContactBook, filter: IdentifierFilter?, inFlight: InFlightBatch? = nil) {
        self.book = book
        self.filter = filter
        batchInFlight = inFlight
    }

    func begin(_ items: [UpsertItem], snapshot: ContactDirectory.Snapshot) throws {
        filtering = try filter?.covers(snapshot, carried: batchInFlight?.owners) ?? false
        hashes = filtering ? filter?.hashes(of: items) ?? [] : []
    }

    func owner(_ kind: IdentifierKind, _ value: String, row: Int, identifiers: ContactIdentifiers) -> BatchPlan.KnownOwner {
        if filtering, let filter, !filter.mayHold(hash: hash(kind, value, row: row, identifiers: identifiers) ?? IdentifierFilter.hash(kind, value)) {
            // The filter holds every identifier the projection held and every one a plan gave
            // since (this batch's and the one in flight's), so neither batch can name it either.
            return .absent
        }
        if let overridden = batchInFlight?.owners[BatchPlan.slot(kind)][value] { return .held(overridden) }
        return .unknown
    }

    func lookedUp(found: Bool) {
        filter?.looked(found: found)
    }

    func gives(_ kind: IdentifierKind, _ value: String, row: Int, identifiers: ContactIdentifiers) {
        guard let filter else { return }
        if let hash = hash(kind, value, row: row, identifiers: identifiers) {
            filter.insert(hash: hash)
        } else {
            filter.insert(kind, value)
        }
    }

    func inFlight(_ key: BatchPlan.Key) -> ContactState?? {
        batchInFlight?.carried(key)
    }

    func creation(
        _ items: [UpsertItem], row: Int, key: BatchPlan.Key, identifiers: ContactIdentifiers,
        rules: ContactFieldRules, options: UpsertOptions, actor: Actor, channel: EntryChannel
    ) -> (any PreparedContact)? {
        // A `.new` key the batch in flight made names that batch's new contact, not a new one.
        if let batchInFlight, batchInFlight.slots[key] != nil { return nil }
        guard let prepared = items[row].prepared as? PreparedCreation, prepared.holds(under: rules, actor: actor, channel: channel) else { return nil }
        #if DEBUG
        var checking = rules
        let decided = (try? book.changes(items[row].input, identifiers: identifiers, state: nil, channel: channel, rules: &checking, options: options)) ?? []
        var folded: ContactState?
        for (index, event) in decided.enumerated() { ContactState.fold(into: &folded, event, meta: .unplaced(index)) }
        assert(decided.count == prepared.encoded.count && folded == prepared.state, "a prepared creation differs from the events decided now")
        // Its stored form, written without folding, is the folded state's.
        var written = BinaryWriter(capacity: 256)
        prepared.shared.encode(placedIn: StreamID(7), recordedAt: 1_000_000, firstPosition: 41, into: &written)
        assert(written.bytes == folded?.placed(stream: StreamID(7), recordedAt: 1_000_000, firstPosition: 41).encoded(), "a prepared creation's stored form differs from its folded state's")
        #endif
        return prepared
    }

    func projected(_ positions: ClosedRange<UInt64>) {
        filter?.advance(through: positions)
    }

    /// The filter hash of `value` worked out ahead (`IdentifierFilter.hashes(of:)`), when it is
    /// the row's identifier of `kind`.
    private func hash(_ kind: IdentifierKind, _ value: String, row: Int, identifiers: ContactIdentifiers) -> UInt64? {
        guard !hashes.isEmpty, identifiers[kind] == value else { return nil }
        let hash = hashes[row * BatchPlan.kinds.count + BatchPlan.slot(kind)]
        return hash == 0 ? nil : hash
    }
}
