import Foundation
import LedgerDomain
@testable import LedgerProjections
import LedgerStore
import Testing

/// A projection with no rebuild of its own: how many events of each type the log holds.
struct EventTypeCounts: Projection {
    static let name = "event-type-counts"
    static let tables = ["counts"]

    func prepare(_ events: [RecordedEvent], keys: KeyRing) throws -> [RecordedEvent] { events }

    func apply(_ batch: [RecordedEvent], in transaction: ProjectionTransaction, store: ProjectionStore) throws {
        let table = try store.table("counts")
        for event in batch {
            let key = Array(event.type.description.utf8)
            let count = try transaction.get(table, key).map { UInt64($0.reduce(0) { $0 << 8 | UInt64($1) }) } ?? 0
            try transaction.put(table, key, withUnsafeBytes(of: (count + 1).bigEndian) { Array($0) })
        }
    }

    var rebuildBatchSize: Int { 7 }
}

@Suite("The projection catalogue", .serialized)
struct ProjectionCatalogTests {
    @Test("every projection of the catalogue, applied incrementally, equals a fresh fold of the log", arguments: ProjectionCatalog.names)
    func incrementalEqualsRebuild(name: String) throws {
        let entry = try #require(ProjectionCatalog.named(name))
        let (ledger, remove) = try ContactProjectionTests.temporaryLedger()
        defer { remove() }
        // Caught up in several steps while the log grows, then checked against a fresh fold.
        for seed in 1...3 {
            try ContactProjectionTests.randomHistory(ledger, seed: UInt64(seed) * 11, steps: 40)
            _ = try entry.catchUp(ledger)
        }
        let report = try entry.check(ledger)
        #expect(report.isValid, "\(report.differences)")
        #expect(report.checkpoint == (try ledger.lastPosition()))
        // And a rebuild through the catalogue checks clean too.
        #expect(try entry.rebuild(ledger) { _ in } == (try ledger.lastPosition()))
        #expect(try entry.check(ledger).isValid)
    }

    @Test("a projection without a rebuild of its own gets the plain one, which equals catching up")
    func defaultRebuild() throws {
        let (ledger, remove) = try ContactProjectionTests.temporaryLedger()
        defer { remove() }
        try ContactProjectionTests.randomHistory(ledger, seed: 5, steps: 30)
        let entry = ProjectionCatalog.Entry(EventTypeCounts())
        _ = try entry.catchUp(ledger)
        #expect(try entry.check(ledger).isValid)
        let runner = ProjectionRunner(ledger: ledger, projection: EventTypeCounts())
        var reported = [UInt64]()
        let last = try runner.rebuild { reported.append($0) }
        #expect(last == (try ledger.lastPosition()))
        #expect(reported.last == last && reported.count > 1, "in batches of 7")
        #expect(try entry.check(ledger).isValid)

        // A changed entry is reported by table, without its key or value.
        let store = try runner.openStore()
        let table = try store.table("counts")
        try store.write { transaction in
            try transaction.put(table, Array(ContactEventKind.contactCreated.currentType.description.utf8), withUnsafeBytes(of: UInt64(999).bigEndian) { Array($0) })
        }
        store.close()
        let report = try entry.check(ledger)
        #expect(!report.isValid)
        #expect(report.differences.map(\.table) == ["counts"])
        #expect(!report.differences.contains { $0.message.contains("contact.created") })
    }
}
