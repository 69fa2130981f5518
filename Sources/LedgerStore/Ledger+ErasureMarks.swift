import CLMDB
import LedgerDomain

/// An erasure whose projections have not been compacted yet: the person's values may still
/// sit in freed pages of a projection file (docs/erasure.md).
public struct PendingErasure: Sendable, Hashable {
    /// The contact erased (a number, never a personal value).
    public let contact: StreamID
    /// When the erasure was recorded, in seconds since 1970.
    public let since: UInt64
}

extension Ledger {
    /// Where erasure marks live: progress marks whose key is this and the contact's number.
    static let erasureMarkPrefix = "erasure:"

    /// How long an erasure may stay pending before `verify` calls it a fault: a server that
    /// compacts erasures in batches compacts at least this often (docs/erasure.md).
    public static let erasurePendingBound: UInt64 = 15 * 60

    /// The mark to record with the `contact.erased` events of `contact`, in the same
    /// transaction (`append(_:progress:)`): from that commit until every projection has been
    /// compacted (`clearErasureMarks`), the erasure is pending, whatever crashes in between.
    public static func erasureMark(for contact: StreamID, at seconds: UInt64) -> ProgressMark {
        ProgressMark(key: erasureMarkPrefix + String(contact.rawValue), value: seconds)
    }

    /// Every erasure recorded whose projections are not compacted yet, by contact.
    public func pendingErasures() throws -> [PendingErasure] {
        let prefix = Array(Self.erasureMarkPrefix.utf8)
        return try storage("read pending erasures") {
            try environment.read { txn in
                try txn.withCursor(tables.progress) { cursor in
                    var found = [PendingErasure]()
                    var entry = try prefix.withUnsafeBytes { try cursor.seek(atOrAfter: $0) }
                    while let current = entry, current.key.starts(with: prefix) {
                        let number = String(decoding: current.key.dropFirst(prefix.count), as: UTF8.self)
                        if let contact = UInt64(number), let since = Ledger.decodePosition(current.value) {
                            found.append(PendingErasure(contact: StreamID(contact), since: since))
                        }
                        entry = try cursor.move(MDB_NEXT)
                    }
                    return found
                }
            }
        }
    }

    /// Removes the marks of `erasures` (as `pendingErasures` read them, before the compaction
    /// that covered them began); a mark recorded again meanwhile, with another time, stays.
    public func clearErasureMarks(_ erasures: [PendingErasure]) throws {
        guard !erasures.isEmpty else { return }
        try storage("clear erasure marks") {
            try environment.write { txn in
                for erasure in erasures {
                    let key = Array((Self.erasureMarkPrefix + String(erasure.contact.rawValue)).utf8)
                    try key.withUnsafeBytes { key in
                        guard let value = try txn.get(tables.progress, key: key), Ledger.decodePosition(value) == erasure.since else { return }
                        _ = try txn.delete(tables.progress, key: key)
                    }
                }
            }
        }
    }

    /// `verify`'s faults for erasures pending longer than `bound` seconds at `now`.
    public func pendingErasureFaults(now: UInt64, bound: UInt64 = Ledger.erasurePendingBound) throws -> [VerificationReport.Fault] {
        try pendingErasures().filter { now >= $0.since && now - $0.since > bound }.map { erasure in
            .init(position: nil, kind: "erasure-pending", message: "the erasure of contact \(erasure.contact) was recorded \((now - erasure.since) / 60) minutes ago and its projections are not compacted yet, so freed pages of a projection file may still hold the person's values; run `ledger erase #\(erasure.contact) --reason REASON` again to finish it")
        }
    }
}
