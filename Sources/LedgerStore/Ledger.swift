import CLMDB
import LedgerDomain
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// The append-only event log of ContactLedger, stored in one LMDB environment.
///
/// Tables:
/// - `log`: position (big-endian u64, from 1, written with `MDB_APPEND`) → stored record;
/// - `streams`: stream (u64) ‖ version (u64) → position, so a stream reads in order;
/// - `event-ids`: event id (16 bytes) → position, so a retried append is recorded once;
/// - `meta`: the store's format version;
/// - `progress`: bulk writers' progress marks (an import's last recorded batch), each written
///   in the same transaction as the batch it marks;
/// - `keys`: stream (u64) → the stream's data key, wrapped under its bucket key, which lives
///   in `keys/root` beside the store (see `KeyVault`, docs/decisions/0008).
///
/// Appends from any number of tasks and threads go through one writer thread that groups
/// whatever is waiting into one transaction and one fsync (group commit). Other processes
/// may open the same directory; LMDB serialises their writers.
public final class Ledger: Sendable {
    /// How a ledger is opened.
    public struct Options: Sendable {
        /// The initial LMDB map size in bytes; it grows by doubling when full.
        public var initialMapSize: Int
        /// The clock that stamps events, in microseconds since 1970 (injected by tests).
        public var clock: @Sendable () -> Int64
        /// Where the ledger logs what it does (never contact data).
        public var logger: Logger
        /// How many stream-index entries gather in memory before they are merged into the
        /// index table in one sorted pass (docs/decisions/0002).
        public var streamIndexMergeThreshold: Int

        /// Options with a 1 GiB initial map and the system clock.
        public init(
            initialMapSize: Int = 1 << 30,
            clock: @escaping @Sendable () -> Int64 = Ledger.systemClock,
            logger: Logger = Logger(label: "contactledger.store"),
            streamIndexMergeThreshold: Int = 100_000
        ) {
            self.initialMapSize = initialMapSize
            self.clock = clock
            self.logger = logger
            self.streamIndexMergeThreshold = streamIndexMergeThreshold
        }
    }

    /// The format of the store as a whole; bumped only with a migration.
    public static let storeFormat: UInt64 = 1

    /// The system clock in microseconds since 1970-01-01 UTC.
    @Sendable public static func systemClock() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000
    }

    /// The directory holding the store.
    public let directory: String
    let environment: LMDBEnvironment
    let tables: Tables
    let options: Options
    let committer: GroupCommitter
    let appendSignal = AppendSignal()
    let streamTail: StreamTail
    let storeLock: StoreLock
    let vault: KeyVault
    /// The key of identity claims' digests (`IdentitySecret`).
    let identitySecret: IdentitySecret
    /// Who goes first for LMDB's write lock between this process and others (`WriteTurns`).
    let writeTurns: WriteTurns

    /// The handles of the ledger's LMDB databases.
    struct Tables: Sendable {
        let log: MDB_dbi
        let streams: MDB_dbi
        let eventIDs: MDB_dbi
        let meta: MDB_dbi
        let progress: MDB_dbi
        let keys: MDB_dbi
        /// Recent identity claims (`IdentityClaims`).
        let claims: MDB_dbi
    }

    /// Opens the ledger in `directory`, creating the directory and an empty store if needed.
    public init(directory: String, options: Options = Options()) throws {
        self.directory = directory
        self.options = options
        try PrivateFiles.makeDirectory(directory, role: "store directory")
        let lock = try StoreLock(directory: directory, exclusive: false, wait: true)
        storeLock = lock
        do {
            environment = try LMDBEnvironment(path: directory, mapSize: options.initialMapSize, maxDatabases: 16)
            let handles = try environment.openDatabases(["log", "streams", "event-ids", "meta", "progress", "keys", "claims"])
            tables = Tables(log: handles[0], streams: handles[1], eventIDs: handles[2], meta: handles[3], progress: handles[4], keys: handles[5], claims: handles[6])
        } catch {
            // A damaged data file (`DataFileCheck`) or a failed open: nothing stays held.
            lock.release()
            if let error = error as? LMDBError {
                throw LedgerError(.storage, "cannot open the ledger in \(directory)", cause: error)
            }
            throw error
        }
        do {
            vault = try KeyVault(directory: directory, environment: environment, tables: tables)
            identitySecret = try IdentitySecret.load(keysDirectory: directory + "/keys", lockPath: vault.lockPath)
        } catch {
            environment.close()
            storeLock.release()
            throw error
        }
        // Every file now exists; a store made looser (an older build, a copy under a
        // permissive umask) is made private again before anything is read from it.
        PrivateFiles.tighten(store: directory, logger: options.logger)
        committer = GroupCommitter()
        writeTurns = WriteTurns(directory: directory)
        streamTail = StreamTail(threshold: options.streamIndexMergeThreshold)
        try checkFormat()
        committer.start(writer: AppendWriter(environment: environment, tables: tables, clock: options.clock, signal: appendSignal, tail: streamTail, vault: vault, turns: writeTurns))
    }

    deinit {
        committer.stop()
        environment.close()
    }

    /// Stops the writer and closes the store; later calls fail with `.closed`.
    public func close() {
        committer.stop()
        appendSignal.finishAll()
        environment.close()
        storeLock.release()
    }

    /// Unmaps the pages of the store this process has read (they stay in the page cache), so a
    /// bulk writer's resident memory does not grow with the log.
    public func releaseMappedPages() {
        environment.releaseMappedPages()
    }

    private func checkFormat() throws {
        let key = Array("store.format".utf8)
        let found: UInt64? = try environment.read { txn in
            try key.withUnsafeBytes { key in try txn.get(tables.meta, key: key).map(Self.decodePosition) }
        } ?? nil
        if let found {
            guard found == Self.storeFormat else {
                throw LedgerError(.unsupportedFormat, "store \(directory) has format \(found); this build reads format \(Self.storeFormat)")
            }
            return
        }
        _ = try environment.write { txn in
            try key.withUnsafeBytes { key in
                try withUnsafeBytes(of: Self.storeFormat.bigEndian) { value in
                    try txn.put(tables.meta, key: key, value: value)
                }
            }
            try StreamTail.setIndexedThrough(0, txn: txn, tables: tables)
        }
    }

    /// Reads a big-endian u64 value (a position or a version); nil when it is not 8 bytes.
    static func decodePosition(_ raw: UnsafeRawBufferPointer) -> UInt64? {
        guard raw.count == 8 else { return nil }
        return UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self))
    }
}
