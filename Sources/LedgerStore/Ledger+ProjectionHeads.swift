import CLMDB
import Foundation
import LedgerDomain

extension Ledger {
    /// The chain hash stored with the record at `position` (`EventRecord.genesisHash` for 0);
    /// nil when the log has no record there.
    public func chainHash(at position: UInt64) throws -> [UInt8]? {
        if position == 0 { return EventRecord.genesisHash }
        return try storage("read the chain hash at position \(position)") {
            try environment.read { txn in
                try withUnsafeBytes(of: position.bigEndian) { key in
                    try txn.get(tables.log, key: key).map { record in
                        guard record.count >= EventRecord.hashLength else { return [] }
                        return Array(record[(record.count - EventRecord.hashLength)...])
                    }
                }
            }
        }
    }

    /// Checks that a projection kept in `folder` folded this log: the log holds its checkpoint
    /// and, when the projection kept one, the log's chain hash there is the one it kept.
    ///
    /// A log that was lost (emptied), rolled back (an older `data.mdb` copied over it) or
    /// replaced would otherwise be read through a projection of events it does not have, and
    /// a writer waiting for the projection to reach the log's end would wait forever. A
    /// projection written before head hashes were kept (`headHash` nil) is checked for its
    /// position only; its next commit stores the hash.
    public func checkProjectionHead(checkpoint: UInt64, headHash: [UInt8]?, folder: String) throws {
        guard let fault = try projectionHeadFault(checkpoint: checkpoint, headHash: headHash, folder: folder) else { return }
        throw LedgerError(.corrupt, fault)
    }

    /// What `checkProjectionHead` would throw, as text; nil when the projection fits the log.
    func projectionHeadFault(checkpoint: UInt64, headHash: [UInt8]?, folder: String) throws -> String? {
        let log = directory + "/data.mdb"
        guard let hash = try chainHash(at: checkpoint) else {
            let last = try lastPosition()
            return "the projection in \(folder) has applied the log through position \(checkpoint), but the log \(log) ends at position \(last): the log was lost or rolled back (restore it from a backup) or the projection belongs to another store (`ledger rebuild`); see \"What to do when verify fails\" in docs/operations.md"
        }
        guard let headHash, headHash != hash else { return nil }
        return "the projection in \(folder) was folded from a log whose chain hash at position \(checkpoint) is \(Hex.encode(headHash).prefix(16))…, but the log \(log) has \(Hex.encode(hash).prefix(16))… there: the log was replaced or rolled back and written again (restore it from a backup) or the projection belongs to another store (`ledger rebuild`); see \"What to do when verify fails\" in docs/operations.md"
    }

    /// Checks the live generation of every projection in the store against the log
    /// (`checkProjectionHead`), without creating any; for `ledger verify`.
    ///
    /// A generation that may be torn (an import's unflushed commits when the machine went
    /// down) is skipped: it is never read, and the next command rebuilds it.
    public func projectionHeadFaults() throws -> [VerificationReport.Fault] {
        let root = directory + "/projections"
        var faults = [VerificationReport.Fault]()
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted()
        for name in names {
            let pointer = root + "/" + name + "/current"
            guard let generation = try? String(contentsOfFile: pointer, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
                  !generation.isEmpty, !generation.contains("/")
            else { continue }
            let folder = root + "/" + name + "/" + generation
            guard FileManager.default.fileExists(atPath: folder + "/data.mdb"), !ProjectionStore.mayBeTorn(directory: folder) else { continue }
            let head: (checkpoint: UInt64, hash: [UInt8]?)
            do {
                let store = try ProjectionStore(directory: folder, tables: [])
                defer { store.close() }
                head = try store.read { (try $0.checkpoint(), try $0.headHash()) }
            } catch {
                faults.append(.init(position: nil, kind: "projection", message: "the projection in \(folder) cannot be read: \(error)"))
                continue
            }
            if let fault = try projectionHeadFault(checkpoint: head.checkpoint, headHash: head.hash, folder: folder) {
                faults.append(.init(position: head.checkpoint, kind: "projection", message: fault))
            }
        }
        return faults
    }
}
