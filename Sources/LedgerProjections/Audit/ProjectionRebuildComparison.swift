import Foundation
import LedgerDomain
import LedgerStore

/// The check every projection gets unless it has a finer one: its live tables, caught up,
/// compared entry by entry with a rebuild of them from the log into a scratch generation.
///
/// Differences name the table and the key's position in key order, never keys or values
/// (they may be personal).
public enum ProjectionRebuildComparison {
    /// Compares `store` (caught up) with a rebuild of `projection` through the same position.
    public static func run<Kind: Projection>(_ projection: Kind, ledger: Ledger, store: ProjectionStore) throws -> ProjectionCheckReport {
        let checkpoint = try store.read { try $0.checkpoint() }
        let scratch = NSTemporaryDirectory() + "ledger-check-\(Kind.name)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let fresh = try ProjectionStore(directory: scratch, tables: Kind.tables, unpublished: true)
        defer { fresh.close() }
        _ = try projection.rebuild(from: ledger, through: checkpoint, into: fresh)
        var differences = [ProjectionDifference]()
        var total = 0
        for name in Kind.tables {
            let live = try entries(of: try store.table(name), in: store)
            let rebuilt = try entries(of: try fresh.table(name), in: fresh)
            total += live.count
            if live.count != rebuilt.count {
                differences.append(ProjectionDifference(contact: nil, table: name, message: "\(live.count) entries, a rebuild has \(rebuilt.count)"))
            }
            if let index = zip(live, rebuilt).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
                differences.append(ProjectionDifference(contact: nil, table: name, message: "entry \(index + 1) in key order differs from a rebuild's"))
            }
        }
        return ProjectionCheckReport(projection: Kind.name, checkpoint: checkpoint, contacts: 0, indexEntries: total, differences: differences)
    }

    /// The differences between `tables` of `store` (caught up) and a plain rebuild of
    /// `projection` through the same checkpoint; none without a rebuild when all are empty
    /// in `store` and nothing in the log wakes them.
    public static func differences<Kind: Projection>(_ projection: Kind, tables: [String], ledger: Ledger, store: ProjectionStore) throws -> [ProjectionDifference] {
        let liveCounts = try store.read { transaction in try tables.map { try transaction.count(try store.table($0)) } }
        if liveCounts.allSatisfy({ $0 == 0 }), try ledger.stats().streamsByCategory[StreamCategory.segment.label] ?? 0 == 0 { return [] }
        let checkpoint = try store.read { try $0.checkpoint() }
        let scratch = NSTemporaryDirectory() + "ledger-check-\(Kind.name)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let fresh = try ProjectionStore(directory: scratch, tables: Kind.tables, unpublished: true)
        defer { fresh.close() }
        _ = try projection.rebuild(from: ledger, through: checkpoint, into: fresh)
        var differences = [ProjectionDifference]()
        for name in tables {
            let live = try entries(of: try store.table(name), in: store)
            let rebuilt = try entries(of: try fresh.table(name), in: fresh)
            if live.count != rebuilt.count {
                differences.append(ProjectionDifference(contact: nil, table: name, message: "\(live.count) entries, a rebuild has \(rebuilt.count)"))
            }
            if let index = zip(live, rebuilt).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
                differences.append(ProjectionDifference(contact: nil, table: name, message: "entry \(index + 1) in key order differs from a rebuild's"))
            }
        }
        return differences
    }

    private static func entries(of table: ProjectionStore.Table, in store: ProjectionStore) throws -> [([UInt8], [UInt8])] {
        try store.read { transaction in
            var found = [([UInt8], [UInt8])]()
            try transaction.forEach(table) { key, value in
                found.append((Array(key), Array(value)))
                return true
            }
            return found
        }
    }
}
