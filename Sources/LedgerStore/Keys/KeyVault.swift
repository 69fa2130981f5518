import CLMDB
import Crypto
import Foundation
import LedgerDomain
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Keeps the contacts' data keys: each stored in the `keys` table (stream → wrapped key),
/// wrapped with AES-GCM under the key of the stream's bucket, the bucket keys living in
/// `keys/root` (see `KeyRootFile` and docs/decisions/0008).
///
/// Buckets are runs of 512 consecutive streams (stream bits 9…20), so a new contact's key is
/// an append to the table and a bucket is a few contiguous ranges of it: re-wrapping a bucket
/// on erasure reads and writes a few hundred neighbouring entries.
///
/// Rotations (erasures) are serialised across processes by `keys/root.lock`; each one bumps
/// `keys.generation` in the `meta` table in the transaction that re-wraps, which tells every
/// other process's writer to reload the root before wrapping a key of its own.
final class KeyVault: Sendable {
    /// The root file and its lock.
    let rootPath: String
    let lockPath: String
    private let keysDirectory: String
    private let state: Mutex<State>

    private struct State {
        var snapshot: KeyRootFile.Snapshot
        var generation: UInt64
    }

    static let generationKey = Array("keys.generation".utf8)
    static let wrappedFormat: UInt8 = 1
    /// format (1) ‖ bucket (2) ‖ epoch (4) ‖ nonce (12) ‖ wrapped key (32) ‖ tag (16).
    static let wrappedSize = 67

    /// The bucket of `stream`.
    static func bucket(of stream: UInt64) -> Int {
        Int((stream >> 9) & UInt64(KeyRootFile.bucketCount - 1))
    }

    /// Opens the key root of the store in `directory`, creating it for a store that has no
    /// keys yet. A store that has keys but no root cannot unwrap them: that is refused.
    init(directory: String, environment: LMDBEnvironment, tables: Ledger.Tables) throws {
        keysDirectory = directory + "/keys"
        rootPath = keysDirectory + "/root"
        lockPath = keysDirectory + "/root.lock"
        try PrivateFiles.makeDirectory(keysDirectory)
        if access(rootPath, F_OK) != 0 {
            let lock = try StoreLock(path: lockPath, exclusive: true, wait: true)
            defer { lock.release() }
            if access(rootPath, F_OK) != 0 {
                let stored = try environment.read { txn in try txn.count(tables.keys) }
                guard stored == 0 else {
                    throw LedgerError(.corrupt, "\(rootPath) is missing, so the data keys of \(stored) contacts cannot be unwrapped; restore keys/root from the backup this store came from")
                }
                try KeyRootFile.create(at: rootPath, directory: keysDirectory)
                try KeyRootFile.syncDirectory(directory)
            }
        }
        let snapshot = try KeyRootFile.load(rootPath)
        let generation = try environment.read { txn in try Self.generation(txn, tables) }
        state = Mutex(State(snapshot: snapshot, generation: generation))
    }

    static func generation(_ txn: LMDBTransaction, _ tables: Ledger.Tables) throws -> UInt64 {
        try generationKey.withUnsafeBytes { key in try txn.get(tables.meta, key: key).flatMap(Ledger.decodePosition) } ?? 0
    }

    // MARK: Wrapping (the writer)

    /// The key a write transaction last wrapped under. A rotation bumps the generation in a
    /// write transaction of its own, which LMDB never runs beside another, so within one
    /// transaction a bucket's current key cannot change: new contacts, numbered in order, take
    /// their bucket's key from here, not from the generation and the root each time.
    struct BucketKey {
        let bucket: Int
        let entry: KeyRootFile.Entry
    }

    /// `key` wrapped for `stream` under its bucket's current key, after reloading the root if
    /// another process rotated a bucket since it was read (seen through `txn`); `bucketKey`
    /// is kept by the writer for the rest of `txn`.
    func wrap(_ key: DataKey, stream: UInt64, txn: LMDBTransaction, tables: Ledger.Tables, bucketKey: inout BucketKey?) throws -> [UInt8] {
        let bucket = Self.bucket(of: stream)
        if let known = bucketKey, known.bucket == bucket {
            return try Self.wrap(key, stream: stream, bucket: bucket, under: known.entry)
        }
        let generation = try Self.generation(txn, tables)
        let current = try state.withLock { state throws -> KeyRootFile.Entry? in
            if state.generation != generation {
                state.snapshot = try KeyRootFile.load(rootPath)
                state.generation = generation
            }
            return state.snapshot.current(bucket)?.entry
        }
        guard let current else { throw LedgerError(.corrupt, "bucket \(bucket) of the key root \(rootPath) holds no key") }
        bucketKey = BucketKey(bucket: bucket, entry: current)
        return try Self.wrap(key, stream: stream, bucket: bucket, under: current)
    }

    static func wrap(_ key: DataKey, stream: UInt64, bucket: Int, under entry: KeyRootFile.Entry, engine: AEADEngine = .default) throws -> [UInt8] {
        var blob = [UInt8]()
        blob.reserveCapacity(wrappedSize)
        blob.append(wrappedFormat)
        withUnsafeBytes(of: UInt16(bucket).bigEndian) { blob.append(contentsOf: $0) }
        withUnsafeBytes(of: entry.epoch.bigEndian) { blob.append(contentsOf: $0) }
        do {
            try RandomPool.shared.withBytes(12) { nonce in
                try key.key.withUnsafeBytes { raw in
                    try withAssociatedData(stream) { try entry.key.sealCombined(raw, nonce: nonce, authenticating: $0, appendingTo: &blob, engine: engine) }
                }
            }
        } catch {
            throw LedgerError(.invalidRequest, "cannot wrap the data key of stream \(stream): \(error)")
        }
        guard blob.count == wrappedSize else { throw LedgerError(.invalidRequest, "cannot wrap the data key of stream \(stream)") }
        return blob
    }

    // MARK: Unwrapping (readers)

    /// The data key of `stream` from its wrapped form; reloads the root once when the epoch it
    /// names is not in the loaded copy (another process rotated the bucket).
    func unwrap(_ blob: UnsafeRawBufferPointer, stream: UInt64) throws -> DataKey {
        try entry(for: blob, stream: stream) { try Self.unwrap(blob, stream: stream, under: $0) }
    }

    /// Unwraps the data key of `stream` straight into `opener` (a bulk reader's context),
    /// making no `DataKey`: the raw key lives only on the stack, wiped after.
    func unwrap(_ blob: UnsafeRawBufferPointer, stream: UInt64, into opener: AESGCMOpener) throws {
        try entry(for: blob, stream: stream) { entry in
            do {
                var raw = try Self.withAssociatedData(stream) { try entry.key.openCombined(UnsafeRawBufferPointer(rebasing: blob[7..<67]), authenticating: $0) }
                defer { raw.withUnsafeMutableBytes { _ = $0.initializeMemory(as: UInt8.self, repeating: 0) } }
                try raw.withUnsafeBytes { try opener.setKey($0) }
            } catch {
                throw LedgerError(.corrupt, "the wrapped data key of stream \(stream) does not open under its bucket key (altered or moved)")
            }
        }
    }

    /// Checks the wrapped form of `stream`'s key and finds the bucket key entry it names.
    private func entry<Result>(for blob: UnsafeRawBufferPointer, stream: UInt64, _ body: (KeyRootFile.Entry) throws -> Result) throws -> Result {
        guard blob.count == Self.wrappedSize, blob[0] == Self.wrappedFormat else {
            throw LedgerError(.corrupt, "the wrapped data key of stream \(stream) is malformed (\(blob.count) bytes)")
        }
        let bucket = Int(UInt16(blob[1]) << 8 | UInt16(blob[2]))
        let epoch = blob[3..<7].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard bucket == Self.bucket(of: stream) else {
            throw LedgerError(.corrupt, "the wrapped data key of stream \(stream) names bucket \(bucket), not its own")
        }
        var entry = state.withLock { $0.snapshot.entry(bucket, epoch: epoch) }
        if entry == nil {
            var snapshot = try KeyRootFile.load(rootPath)
            entry = snapshot.entry(bucket, epoch: epoch)
            state.withLock { $0.snapshot = snapshot }
        }
        guard let entry else {
            throw LedgerError(.corrupt, "the data key of stream \(stream) is wrapped under epoch \(epoch) of bucket \(bucket), which the key root no longer holds")
        }
        return try body(entry)
    }

    static func unwrap(_ blob: UnsafeRawBufferPointer, stream: UInt64, under entry: KeyRootFile.Entry, engine: AEADEngine = .default) throws -> DataKey {
        do {
            var raw = try withAssociatedData(stream) { try entry.key.openCombined(UnsafeRawBufferPointer(rebasing: blob[7..<67]), authenticating: $0, engine: engine) }
            defer { raw.withUnsafeMutableBytes { _ = $0.initializeMemory(as: UInt8.self, repeating: 0) } }
            guard let key = DataKey(bytes: raw) else { throw LedgerError(.corrupt, "short key") }
            return key
        } catch {
            throw LedgerError(.corrupt, "the wrapped data key of stream \(stream) does not open under its bucket key (altered or moved)")
        }
    }

    /// "CLK1" ‖ four zero bytes ‖ stream (big-endian): 16 bytes, two u64s, so no padding.
    private static func withAssociatedData<Result>(_ stream: UInt64, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try withUnsafeBytes(of: (UInt64(0x434C_4B31_0000_0000).bigEndian, stream.bigEndian), body)
    }

    // MARK: Rotation (erasure)

    /// Destroys the data key of `stream`: deletes it, re-wraps the rest of its bucket under a
    /// new bucket key, and overwrites the old bucket key in the root. Returns whether the
    /// stream had a key. A rotation interrupted by a crash is finished first.
    ///
    /// Order, so that a crash at any point loses no other contact's key:
    /// 1. the new bucket key goes into the slot's free entry (durable; both keys now valid);
    /// 2. one LMDB transaction deletes the stream's key, re-wraps every other key of the
    ///    bucket under the new key and bumps `keys.generation`;
    /// 3. the old bucket key's entry is overwritten with zeros (durable).
    func shred(stream: UInt64, environment: LMDBEnvironment, tables: Ledger.Tables) throws -> Bool {
        let lock = try StoreLock(path: lockPath, exclusive: true, wait: true)
        defer { lock.release() }
        var snapshot = try KeyRootFile.load(rootPath)
        for bucket in snapshot.rotating() {
            try finishRotation(bucket, snapshot: &snapshot, deleting: nil, environment: environment, tables: tables)
        }
        // No key, nothing to destroy (an erasure re-run: the repair above finished its rotation).
        let present = try environment.read { txn in
            try withUnsafeBytes(of: stream.bigEndian) { try txn.get(tables.keys, key: $0) != nil }
        }
        guard present else { return false }
        let bucket = Self.bucket(of: stream)
        guard let (index, current) = snapshot.current(bucket) else {
            throw LedgerError(.corrupt, "bucket \(bucket) of the key root \(rootPath) holds no key")
        }
        let fresh = KeyRootFile.Entry(epoch: current.epoch &+ 1 == 0 ? 1 : current.epoch &+ 1, key: .random())
        try KeyRootFile.write(fresh, bucket: bucket, index: 1 - index, path: rootPath)
        snapshot.set(fresh, bucket: bucket, index: 1 - index)
        return try finishRotation(bucket, snapshot: &snapshot, deleting: stream, environment: environment, tables: tables)
    }

    /// Steps 2 and 3 of a rotation of `bucket`, whose newest entry is the key to keep.
    @discardableResult
    private func finishRotation(_ bucket: Int, snapshot: inout KeyRootFile.Snapshot, deleting stream: UInt64?, environment: LMDBEnvironment, tables: Ledger.Tables) throws -> Bool {
        guard let (keep, target) = snapshot.current(bucket) else { return false }
        let entries = snapshot.entries(bucket)
        let (deleted, generation) = try environment.write { txn in
            var deleted = false
            if let stream {
                deleted = try withUnsafeBytes(of: stream.bigEndian) { try txn.delete(tables.keys, key: $0) }
            }
            try rewrap(bucket, to: target, entries: entries, txn: txn, tables: tables)
            let generation = try Self.generation(txn, tables) + 1
            try Self.generationKey.withUnsafeBytes { key in
                try withUnsafeBytes(of: generation.bigEndian) { _ = try txn.put(tables.meta, key: key, value: $0) }
            }
            return (deleted, generation)
        }
        try KeyRootFile.write(nil, bucket: bucket, index: 1 - keep, path: rootPath)
        snapshot.set(nil, bucket: bucket, index: 1 - keep)
        let final = snapshot
        state.withLock { $0 = State(snapshot: final, generation: generation) }
        return deleted
    }

    /// Re-wraps every key of `bucket` not already under `target`.
    private func rewrap(_ bucket: Int, to target: KeyRootFile.Entry, entries: [KeyRootFile.Entry?], txn: LMDBTransaction, tables: Ledger.Tables) throws {
        let last = try txn.withCursor(tables.keys) { cursor in try cursor.move(MDB_LAST).flatMap { Ledger.decodePosition($0.key) } } ?? 0
        var updates = [(UInt64, [UInt8])]()
        var start = UInt64(bucket) << 9
        let stride = UInt64(KeyRootFile.bucketCount) << 9
        while start <= last {
            // Streams of other categories (tokens, VAPID keys) sit at 2^48 and beyond: when the
            // next key lies past this run, jump to the bucket's run at or after it rather than
            // stepping through 2^29 empty runs one by one.
            var jump: UInt64?
            try txn.withCursor(tables.keys) { cursor in
                var entry = try withUnsafeBytes(of: start.bigEndian) { try cursor.seek(atOrAfter: $0) }
                if let found = entry, let next = Ledger.decodePosition(found.key), next >= start + 512 {
                    let run = next & ~(stride - 1) | UInt64(bucket) << 9
                    jump = run + 512 <= next ? run + stride : run
                    return
                }
                while let found = entry, let stream = Ledger.decodePosition(found.key), stream < start + 512 {
                    let epoch = found.value.count == Self.wrappedSize ? found.value[3..<7].reduce(UInt32(0)) { $0 << 8 | UInt32($1) } : 0
                    if epoch != target.epoch {
                        guard let under = entries.lazy.compactMap({ $0 }).first(where: { $0.epoch == epoch }) else {
                            throw LedgerError(.corrupt, "the data key of stream \(stream) is wrapped under epoch \(epoch) of bucket \(bucket), which the key root does not hold")
                        }
                        let key = try Self.unwrap(found.value, stream: stream, under: under)
                        updates.append((stream, try Self.wrap(key, stream: stream, bucket: bucket, under: target)))
                    }
                    entry = try cursor.move(MDB_NEXT)
                }
            }
            start = jump ?? start + stride
        }
        for (stream, blob) in updates {
            try withUnsafeBytes(of: stream.bigEndian) { key in
                try blob.withUnsafeBytes { _ = try txn.put(tables.keys, key: key, value: $0) }
            }
        }
    }
}
