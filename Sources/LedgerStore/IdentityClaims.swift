import CAEAD
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

/// The recent claims table, `claims`: one entry per job (one writer's batch) that took or
/// gave back values, keyed by the position of the job's first event (and a zero ordinal),
/// valued by 25-byte records: the digest, the stream, and whether it is a claim (1) or a
/// release (0). Keys only grow, so an entry is appended, one put per job however many
/// contacts it creates; entries older than `window` positions are deleted as the log grows,
/// and a decision older than that is refused as a conflict (to be decided again).
enum IdentityClaims {
    /// Positions a decision may lag behind the log's end and still be checked.
    static let window: UInt64 = 500_000
    /// Old entries deleted per transaction at most, to bound a commit's work.
    static let pruneLimit = 64
    static let recordSize = 25

    /// One record of the table: who took or gave back a value, and at which entry.
    struct Entry {
        var claim: IdentityClaim
        var stream: UInt64
        var claimed: Bool
        var position: UInt64
    }

    /// The latest record per value among the entries after a position, sorted by value and
    /// searched by bisection: a job checks thousands of claims against thousands of recent
    /// records with integer comparisons, not a hash per value (hashing was a tenth of an
    /// import's cost in the writer).
    struct Recent {
        private(set) var entries: [Entry] = []

        var isEmpty: Bool { entries.isEmpty }

        init(_ unsorted: [Entry]) {
            // Stable by value, then the last of each run (the latest, as read in order) kept.
            let sorted = unsorted.enumerated().sorted { lhs, rhs in
                Recent.less(lhs.element.claim, rhs.element.claim) || (lhs.element.claim == rhs.element.claim && lhs.offset < rhs.offset)
            }
            entries.reserveCapacity(sorted.count)
            for (_, entry) in sorted {
                if let last = entries.last, last.claim == entry.claim {
                    entries[entries.count - 1] = entry
                } else {
                    entries.append(entry)
                }
            }
        }

        static func less(_ lhs: IdentityClaim, _ rhs: IdentityClaim) -> Bool {
            lhs.high != rhs.high ? lhs.high < rhs.high : lhs.low < rhs.low
        }

        /// The latest record of `claim`, or nil.
        func latest(_ claim: IdentityClaim) -> Entry? {
            var low = 0
            var high = entries.count
            while low < high {
                let middle = (low + high) / 2
                if Recent.less(entries[middle].claim, claim) { low = middle + 1 } else { high = middle }
            }
            return low < entries.count && entries[low].claim == claim ? entries[low] : nil
        }
    }

    /// A job's records, gathered as its requests are written and stored in one entry.
    struct Pending {
        var position: UInt64?
        var bytes: [UInt8] = []
    }

    /// The records of the entries after `after`, latest per value.
    static func recent(after: UInt64, txn: LMDBTransaction, table: MDB_dbi) throws -> Recent {
        var found = [Entry]()
        try txn.withCursor(table) { cursor in
            var entry = try withUnsafeBytes(of: ((after &+ 1).bigEndian, UInt32(0).bigEndian)) { try cursor.seek(atOrAfter: $0) }
            while let current = entry {
                guard current.key.count == 12, current.value.count % recordSize == 0 else {
                    throw LedgerError(.corrupt, "the identity claims table holds a malformed entry; run `ledger verify`")
                }
                let position = UInt64(bigEndian: current.key.loadUnaligned(as: UInt64.self))
                var offset = 0
                while offset < current.value.count {
                    found.append(Entry(
                        claim: IdentityClaim(
                            high: UInt64(bigEndian: current.value.loadUnaligned(fromByteOffset: offset, as: UInt64.self)),
                            low: UInt64(bigEndian: current.value.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
                        ),
                        stream: UInt64(bigEndian: current.value.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self)),
                        claimed: current.value[offset + 24] == 1,
                        position: position
                    ))
                    offset += recordSize
                }
                entry = try cursor.move(MDB_NEXT)
            }
        }
        return Recent(found)
    }

    /// Refuses `changes` for `stream` when another stream claimed one of its values after
    /// the decision (and has not given it back), or when the decision is too old to check.
    /// A job's own requests are not compared with each other: one writer decided them together,
    /// and a value another stream of the same job gives back (`jobReleases`: a move, a merge)
    /// is free for this one, whichever request comes first.
    static func check(_ changes: IdentityChanges, stream: UInt64, lastPosition: UInt64, recent: Recent, jobReleases: [(claim: IdentityClaim, stream: UInt64)] = []) throws {
        guard !changes.claims.isEmpty else { return }
        if lastPosition > window && changes.decidedAt < lastPosition - window {
            throw LedgerError(.wrongExpectedVersion, "conflict on stream \(stream): decided at position \(changes.decidedAt), too far behind the log's end (\(lastPosition)) to check its identifiers; decide again")
        }
        guard !recent.isEmpty else { return }
        for claim in changes.claims {
            guard let entry = recent.latest(claim), entry.position > changes.decidedAt else { continue }
            if entry.claimed && entry.stream != stream && !jobReleases.contains(where: { $0.claim == claim && $0.stream == entry.stream }) {
                throw LedgerError(.wrongExpectedVersion, "conflict on stream \(stream): an identifier it takes was taken by stream \(entry.stream) meanwhile; decide again")
            }
        }
    }

    /// Adds `changes`' records to the job's `pending` entry (first written at `position`).
    static func note(_ changes: IdentityChanges, stream: UInt64, position: UInt64, into pending: inout Pending) {
        if pending.position == nil { pending.position = position }
        func add(_ claim: IdentityClaim, claimed: Bool) {
            withUnsafeBytes(of: (claim.high.bigEndian, claim.low.bigEndian, stream.bigEndian)) { pending.bytes.append(contentsOf: $0) }
            pending.bytes.append(claimed ? 1 : 0)
        }
        for claim in changes.releases { add(claim, claimed: false) }
        for claim in changes.claims { add(claim, claimed: true) }
    }

    /// Stores the job's entry; returns whether there was one.
    static func flush(_ pending: Pending, txn: LMDBTransaction, table: MDB_dbi) throws -> Bool {
        guard let position = pending.position, !pending.bytes.isEmpty else { return false }
        try withUnsafeBytes(of: (position.bigEndian, UInt32(0).bigEndian)) { key in
            try pending.bytes.withUnsafeBytes { value in
                guard try txn.put(table, key: key, value: value, flags: MDB_APPEND) || txn.put(table, key: key, value: value, flags: MDB_NOOVERWRITE) else {
                    throw LedgerError(.corrupt, "the identity claims table already holds position \(position); run `ledger verify`")
                }
            }
        }
        return true
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
    /// libcrypto's SHA-256 state having absorbed one 64-byte block: the secret and a fixed
    /// label. Each digest copies it (a plain C struct, on the stack) and hashes only the kind
    /// and value: one compression for a usual e-mail, no allocation (swift-crypto's hasher
    /// allocates its context per copy, and an HMAC costs four compressions), which matters
    /// because an import makes two digests per new contact. Same reasoning as the chain hash
    /// (CAEAD's header).
    private let keyed: SHA256_CTX

    init(key: SymmetricKey) {
        var block = key.withUnsafeBytes { Array($0) }
        block += Array("contactledger identity claims v1".utf8).prefix(64 - block.count)
        block += [UInt8](repeating: 0, count: 64 - block.count)
        var context = SHA256_CTX()
        SHA256_Init(&context)
        block.withUnsafeBytes { _ = SHA256_Update(&context, $0.baseAddress, $0.count) }
        keyed = context
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
        var context = keyed
        var kind = kind
        _ = SHA256_Update(&context, &kind, 1)
        var value = value
        value.withUTF8 { _ = SHA256_Update(&context, $0.baseAddress, $0.count) }
        var digest = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        withUnsafeMutableBytes(of: &digest) { _ = SHA256_Final($0.baseAddress?.assumingMemoryBound(to: UInt8.self), &context) }
        return IdentityClaim(high: UInt64(bigEndian: digest.0), low: UInt64(bigEndian: digest.1))
    }
}

extension Ledger {
    /// The claim a stream takes on a unique value (`IdentityChanges`): `kind` tells values
    /// of different kinds apart (an e-mail and an external id that read the same).
    public func identityClaim(kind: UInt8, value: String) -> IdentityClaim {
        identitySecret.claim(kind: kind, value: value)
    }
}
