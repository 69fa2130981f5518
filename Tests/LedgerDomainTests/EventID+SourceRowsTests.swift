import LedgerDomain
import Testing

@Suite("Event ids of a source's rows")
struct EventIDSourceRowsTests {
    static let namespace: UInt64 = 0xDEAD_BEEF_0000_1234

    @Test("a row's first 256 changes keep the ids imports have always given them: row << 8 | change")
    func compactLayoutUnchanged() throws {
        for row: UInt64 in [1, 2, 3, 1_048_576, 150_000_000] {
            for change in [0, 1, 7, 200, 255] {
                let id = try #require(EventID.derived(namespace: Self.namespace, row: row, change: change))
                #expect(id == EventID.derived(namespace: Self.namespace, sequence: row << 8 | UInt64(change)))
            }
        }
    }

    @Test("rows of thousands of changes never share an id, with each other or with ids of the old layout")
    func wideRowsAreUnique() throws {
        var seen = Set<EventID>()
        for row: UInt64 in 1...4 {
            for change in 0..<20_000 {
                let id = try #require(EventID.derived(namespace: Self.namespace, row: row, change: change))
                #expect(seen.insert(id).inserted, "row \(row), change \(change)")
                if change >= 256 {
                    // The old layout (row << 8 | change, whatever the change) sets bit 61 only
                    // for rows at or above 2^53: no reader hands out such a row.
                    #expect(id.low & (1 << 61) != 0)
                    #expect(id != EventID.derived(namespace: Self.namespace, sequence: row << 8 | UInt64(change)))
                }
            }
        }
        // What the old layout made of row 2's 300th change: row 3's second id.
        #expect(EventID.derived(namespace: Self.namespace, sequence: 2 << 8 | 300) == EventID.derived(namespace: Self.namespace, row: 3, change: 44))
        #expect(EventID.derived(namespace: Self.namespace, row: 2, change: 300) != EventID.derived(namespace: Self.namespace, row: 3, change: 44))
    }

    @Test("rows and changes beyond the limits have no derived id")
    func limits() {
        #expect(EventID.derived(namespace: Self.namespace, row: EventID.sourceRowLimit - 1, change: EventID.sourceChangeLimit - 1) != nil)
        #expect(EventID.derived(namespace: Self.namespace, row: EventID.sourceRowLimit, change: 0) == nil)
        #expect(EventID.derived(namespace: Self.namespace, row: 2, change: EventID.sourceChangeLimit) == nil)
        #expect(EventID.derived(namespace: Self.namespace, row: 2, change: -1) == nil)
        // The importer's closure still gives a unique id there, only not a derived one.
        let ids = EventID.sourceRow(namespace: Self.namespace, row: EventID.sourceRowLimit)
        #expect(ids(0) != ids(0))
        #expect(EventID.sourceRow(namespace: Self.namespace, row: 2)(300) == EventID.derived(namespace: Self.namespace, row: 2, change: 300))
    }
}
