import CLMDB
import Crypto
import Foundation
import LedgerDomain

/// A unique value a stream holds (a contact's e-mail, phone or external id), as a keyed
/// digest: the log's file never holds the value itself (`Ledger.identityClaim`).
public struct IdentityClaim: Hashable, Sendable {
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }
}

/// What an append does to the unique values its stream holds, and when it was decided.
///
/// One contact per identifier is enforced where the write happens, not by a lock around the
/// deciding: a writer decides from the projection as of log position `decidedAt`, and in the
/// write transaction the ledger checks that no other stream claimed one of `claims` after
/// that position (decision 0015). A claim is taken by a stream that adds the value, and given
/// back by one that drops it (a changed e-mail, a merge, an erasure).
public struct IdentityChanges: Hashable, Sendable {
    /// Values the stream takes.
    public var claims: [IdentityClaim]
    /// Values the stream gives up.
    public var releases: [IdentityClaim]
    /// The log position the writer's view of who holds what was taken at.
    public var decidedAt: UInt64

    public init(claims: [IdentityClaim] = [], releases: [IdentityClaim] = [], decidedAt: UInt64) {
        self.claims = claims
        self.releases = releases
        self.decidedAt = decidedAt
    }

    public var isEmpty: Bool { claims.isEmpty && releases.isEmpty }
}

/// The recent claims table, `claims`: one entry per claim or release, keyed by the position
/// of the first event of the append that made it and an ordinal, valued by the digest, the
/// stream and whether it is a claim (1) or a release (0). Keys only grow, so entries are
/// appended; entries older than `window` positions are deleted as the log grows, and a
/// decision older than that is refused as a conflict (to be decided again).
enum IdentityClaims {
    /// Positions a decision may lag behind the log's end and still be checked.
    static let window: UInt64 = 500_000
    /// Old entries deleted per transaction at most, to bound a commit's work.
    static let pruneLimit = 20_000

    struct Entry {
        var stream: UInt64
        var claimed: Bool
        var position: UInt64
    }

    /// The latest entry after `after` for each digest of `wanted`, read from the table.
    static func recent(_ wanted: Set<IdentityClaim>, after: UInt64, txn: LMDBTransaction, table: MDB_dbi) throws -> [IdentityClaim: Entry] {
        var latest = [IdentityClaim: Entry]()
        guard !wanted.isEmpty else { return latest }
        try txn.withCursor(table) { cursor in
            var entry = try withUnsafeBytes(of: ((after &+ 1).bigEndian, UInt32(0).bigEndian)) { try cursor.seek(atOrAfter: $0) }
            while let current = entry {
                guard current.key.count == 12, current.value.count == 25 else {
                    throw LedgerError(.corrupt, "the identity claims table holds a malformed entry; run `ledger verify`")
                }
                let position = UInt64(bigEndian: current.key.loadUnaligned(as: UInt64.self))
                let claim = IdentityClaim(
                    high: UInt64(bigEndian: current.value.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                    low: UInt64(bigEndian: current.value.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
                )
                if wanted.contains(claim) {
                    latest[claim] = Entry(
                        stream: UInt64(bigEndian: current.value.loadUnaligned(fromByteOffset: 16, as: UInt64.self)),
                        claimed: current.value[24] == 1,
                        position: position
                    )
                }
                entry = try cursor.move(MDB_NEXT)
            }
        }
        return latest
    }

    /// Refuses `changes` for `stream` when another stream claimed one of its values after
    /// the decision (and has not given it back), or when the decision is too old to check.
    static func check(_ changes: IdentityChanges, stream: UInt64, lastPosition: UInt64, latest: [IdentityClaim: Entry]) throws {
        guard !changes.claims.isEmpty else { return }
        if lastPosition > window && changes.decidedAt < lastPosition - window {
            throw LedgerError(.wrongExpectedVersion, "conflict on stream \(stream): decided at position \(changes.decidedAt), too far behind the log's end (\(lastPosition)) to check its identifiers; decide again")
        }
        for claim in changes.claims {
            guard let entry = latest[claim], entry.position > changes.decidedAt else { continue }
            if entry.claimed && entry.stream != stream {
                throw LedgerError(.wrongExpectedVersion, "conflict on stream \(stream): an identifier it takes was taken by stream \(entry.stream) meanwhile; decide again")
            }
        }
    }

    /// Appends `changes`' entries at `position` (the first event of the append) and notes
    /// them in `latest`; returns the keys written (for undo).
    static func record(_ changes: IdentityChanges, stream: UInt64, position: UInt64, txn: LMDBTransaction, table: MDB_dbi, latest: inout [IdentityClaim: Entry]) throws -> [UInt64: UInt32] {
        var ordinal: UInt32 = 0
        func put(_ claim: IdentityClaim, claimed: Bool) throws {
            try withUnsafeBytes(of: (position.bigEndian, ordinal.bigEndian)) { key in
                var value = [UInt8](repeating: 0, count: 25)
                withUnsafeBytes(of: (claim.high.bigEndian, claim.low.bigEndian, stream.bigEndian)) { value.replaceSubrange(0..<24, with: $0) }
                value[24] = claimed ? 1 : 0
                try value.withUnsafeBytes { value in
                    guard try txn.put(table, key: key, value: value, flags: MDB_APPEND) || txn.put(table, key: key, value: value, flags: MDB_NOOVERWRITE) else {
                        throw LedgerError(.corrupt, "the identity claims table already holds position \(position); run `ledger verify`")
                    }
                }
            }
            if latest.keys.contains(claim) || claimed {
                latest[claim] = Entry(stream: stream, claimed: claimed, position: position)
            }
            ordinal += 1
        }
        for claim in changes.releases { try put(claim, claimed: false) }
        for claim in changes.claims { try put(claim, claimed: true) }
        return ordinal == 0 ? [:] : [position: ordinal]
    }

    /// Deletes the entries of positions after `after` (a failed job's).
    static func undo(after: UInt64, txn: LMDBTransaction, table: MDB_dbi) throws {
        try txn.withCursor(table) { cursor in
            // Sought again after each delete: where a cursor stands after one is not relied on.
            while try withUnsafeBytes(of: ((after &+ 1).bigEndian, UInt32(0).bigEndian), { try cursor.seek(atOrAfter: $0) }) != nil {
                try cursor.deleteCurrent()
            }
        }
    }

    /// Deletes entries older than the window, a bounded number per transaction.
    static func prune(lastPosition: UInt64, txn: LMDBTransaction, table: MDB_dbi) throws {
        guard lastPosition > window else { return }
        let horizon = lastPosition - window
        try txn.withCursor(table) { cursor in
            var deleted = 0
            var entry = try cursor.move(MDB_FIRST)
            while let current = entry, deleted < pruneLimit,
                  UInt64(bigEndian: current.key.loadUnaligned(as: UInt64.self)) < horizon {
                try cursor.deleteCurrent()
                deleted += 1
                entry = try cursor.move(MDB_FIRST)
            }
        }
    }
}

/// The secret identity digests are keyed with: 32 random bytes in `keys/identity`, made with
/// the store, apart from the log so that the log's file cannot be searched for a guessed
/// e-mail. Losing it only means the claims of the last `IdentityClaims.window` positions are
/// not compared with new ones for one transaction's worth of decisions.
struct IdentitySecret: Sendable {
    /// SHA-256 having absorbed one 64-byte block: the secret and a fixed label. Each digest
    /// copies it and hashes only the kind and value, one compression for a usual e-mail (an
    /// HMAC costs four): an import makes two of these per new contact.
    private let keyed: SHA256

    init(key: SymmetricKey) {
        var block = key.withUnsafeBytes { Array($0) }
        block += Array("contactledger identity claims v1".utf8).prefix(64 - block.count)
        block += [UInt8](repeating: 0, count: 64 - block.count)
        var hasher = SHA256()
        hasher.update(data: block)
        keyed = hasher
    }

    static func load(keysDirectory: String, lockPath: String) throws -> IdentitySecret {
        let path = keysDirectory + "/identity"
        if let bytes = FileManager.default.contents(atPath: path), bytes.count == 32 {
            return IdentitySecret(key: SymmetricKey(data: bytes))
        }
        let lock = try StoreLock(path: lockPath, exclusive: true, wait: true)
        defer { lock.release() }
        if let bytes = FileManager.default.contents(atPath: path), bytes.count == 32 {
            return IdentitySecret(key: SymmetricKey(data: bytes))
        }
        let fresh = SymmetricKey(size: .bits256)
        let temporary = path + ".new"
        try PrivateFiles.write(fresh.withUnsafeBytes { Array($0) }, to: temporary)
        guard rename(temporary, path) == 0 else {
            throw LedgerError(.storage, "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        return IdentitySecret(key: fresh)
    }

    /// The digest of `value` of kind `kind`: SHA-256 of the keyed block, the kind and the
    /// value, first 16 bytes.
    func claim(kind: UInt8, value: String) -> IdentityClaim {
        var hasher = keyed
        withUnsafeBytes(of: kind) { hasher.update(bufferPointer: $0) }
        var value = value
        value.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        return hasher.finalize().withUnsafeBytes { bytes in
            IdentityClaim(
                high: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                low: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            )
        }
    }
}

extension Ledger {
    /// The claim a stream takes on a unique value (`IdentityChanges`): `kind` tells values
    /// of different kinds apart (an e-mail and an external id that read the same).
    public func identityClaim(kind: UInt8, value: String) -> IdentityClaim {
        identitySecret.claim(kind: kind, value: value)
    }
}
