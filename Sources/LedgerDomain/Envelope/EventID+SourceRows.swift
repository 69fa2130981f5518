/// Ids of the changes one row of a source (an imported file) makes.
///
/// The 62-bit sequence of a derived id holds the row and the change in two disjoint layouts:
///
/// - change 0...255: `row << 8 | change`, the only layout before 2026-12. Ledgers imported
///   then hold these ids, so they must stay exactly as they are: a file imported by an older
///   build and imported again records nothing twice.
/// - change 256 and above: bit 61 set, then `row << 24 | change`. The old layout never sets
///   bit 61 for a row below 2^53, and every row a reader hands out is far below that, so the
///   two layouts cannot meet. (The old layout carried such a change into the row bits: the
///   256th change of a row took the first id of the next row.)
extension EventID {
    /// Rows a derived id tells apart: 2^37, far beyond any file the importer reads.
    public static let sourceRowLimit: UInt64 = 1 << 37
    /// Changes of one row a derived id tells apart: 2^24, far beyond one row of 16,384 columns.
    public static let sourceChangeLimit = 1 << 24

    /// Changes below this keep the original `row << 8 | change` layout.
    static let compactChangeLimit = 256
    /// Set in the sequence of every id of a change beyond `compactChangeLimit`.
    static let wideChangeMarker: UInt64 = 1 << 61

    /// The id of change `change` (from 0) of row `row` of the source named by `namespace`;
    /// nil when the row or the change is beyond `sourceRowLimit` or `sourceChangeLimit`.
    public static func derived(namespace: UInt64, row: UInt64, change: Int) -> EventID? {
        guard row < sourceRowLimit, change >= 0, change < sourceChangeLimit else { return nil }
        if change < compactChangeLimit {
            return derived(namespace: namespace, sequence: row << 8 | UInt64(change))
        }
        return derived(namespace: namespace, sequence: wideChangeMarker | row << 24 | UInt64(change))
    }

    /// The ids of row `row`'s changes, as an importer hands them to the contact book.
    ///
    /// Importers refuse rows and files beyond the limits before they ask; should one get
    /// here all the same, its id is a new time-ordered one: still unique, only not the same
    /// on a second run.
    public static func sourceRow(namespace: UInt64, row: UInt64) -> @Sendable (Int) -> EventID {
        { change in derived(namespace: namespace, row: row, change: change) ?? .timeOrdered() }
    }
}
