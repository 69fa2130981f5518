import CLMDB
import LedgerDomain
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Key-value tables that hold one projection's output and its checkpoint, in an LMDB
/// environment of their own beside the log.
///
/// A projection writes its state and its checkpoint in the same transaction, so after a
/// crash it resumes from exactly the last event it applied. Keeping projections out of the
/// log's environment means they never contend for the log's write lock, and a rebuild can
/// write a whole fresh environment and swap it in (`ProjectionDirectory`).
public final class ProjectionStore: Sendable {
    /// One table of a projection store.
    public struct Table: Sendable, Hashable {
        let dbi: MDB_dbi
        /// The table's name.
        public let name: String
    }

    /// The directory of this store.
    public let directory: String
    let environment: LMDBEnvironment
    private let tablesByName: [String: Table]
    private let meta: MDB_dbi
    /// Open `deferringFlushes` calls of this process: the flush at each commit is off while
    /// there is one.
    private let deferrals = Mutex(0)

    /// Opens (creating) a projection store with the named tables.
    ///
    /// With `unpublished`, commits do not flush at all (`MDB_NOSYNC`): for a generation that
    /// nobody reads until its builder calls `sync()` and publishes it (a rebuild), so a crash
    /// before that loses only the unpublished generation.
    public init(directory: String, tables: [String], initialMapSize: Int = 1 << 28, unpublished: Bool = false) throws {
        self.directory = directory
        try PrivateFiles.makeDirectory(directory)
        let unflushed = UnflushedMarker.inspect(directory)
        if unflushed == .lost {
            // `ProjectionRunner.openStore` rebuilds such a generation instead of opening it.
            throw LedgerError(.corrupt, "the projection store in \(directory) was being written without flushes when the machine went down, so it may be torn; run `ledger rebuild`")
        }
        do {
            // MDB_NOMETASYNC, lmdb.h: "Flush system buffers to disk only once per transaction,
            // omit the metadata flush. Defer that until the system flushes files to disk, or
            // next non-MDB_RDONLY commit or mdb_env_sync(). This optimization maintains
            // database integrity, but a system crash may undo the last committed transaction.
            // I.e. it preserves the ACI (atomicity, consistency, isolation) but not D
            // (durability) database property." A projection can lose its last transaction:
            // the checkpoint is in the same transaction as the state, so after such a crash
            // the runner re-applies those events from the log. One device flush per commit
            // instead of two shortens every follower commit. A rebuilt generation is synced
            // (`sync()`) before it is published.
            // MDB_NOSYNC, lmdb.h: "Don't flush system buffers to disk when committing a
            // transaction."
            let flags = UInt32(MDB_NOMETASYNC) | (unpublished ? UInt32(MDB_NOSYNC) : 0)
            environment = try LMDBEnvironment(path: directory, mapSize: initialMapSize, maxDatabases: UInt32(tables.count + 1), flags: flags)
            let handles = try environment.openDatabases(["meta"] + tables)
            meta = handles[0]
            var byName = [String: Table]()
            for (name, dbi) in zip(tables, handles.dropFirst()) { byName[name] = Table(dbi: dbi, name: name) }
            tablesByName = byName
        } catch let error as LMDBError {
            throw LedgerError(.storage, "cannot open the projection store in \(directory)", cause: error)
        }
        if case .abandoned(let markers) = unflushed {
            // Their writers died, the machine did not: the kernel holds every commit they made.
            try sync()
            for path in markers { try UnflushedMarker(path: path).remove() }
        }
    }

    /// Whether the store in `directory` was being written without flushes when the machine
    /// went down (`deferringFlushes`): it may be torn, and opening it is refused.
    public static func mayBeTorn(directory: String) -> Bool {
        UnflushedMarker.inspect(directory) == .lost
    }

    /// Closes the environment; no transaction may be open.
    public func close() {
        environment.close()
    }

    /// Makes every committed transaction durable, the last one's meta page included; a
    /// generation is synced before it is published, so a crash never publishes less.
    public func sync() throws {
        try wrap { try environment.sync() }
    }

    /// Runs `body` with the flush at each commit turned off (`MDB_NOSYNC`), then flushes once:
    /// for a bulk writer whose every commit can be redone from the log (an import), where
    /// flushing each commit's randomly placed index pages costs more than the work itself.
    ///
    /// Commits made meanwhile stay atomic and consistent for every process (the kernel holds
    /// them), but not durable: a machine crash can lose or tear them. So a marker file is made
    /// durable first and removed after the final flush (`UnflushedMarker`); a store opened
    /// after a machine crash with the marker still there is rebuilt from the log, never read.
    /// Without a boot id to tell that crash apart, `body` simply runs with flushes on.
    public func deferringFlushes<Result>(_ body: () throws -> Result) throws -> Result {
        guard let marker = try UnflushedMarker.place(in: directory) else { return try body() }
        do {
            try deferral(starts: true)
        } catch {
            try? marker.remove()
            throw error
        }
        let outcome = Swift.Result { try body() }
        try deferral(starts: false)
        // Every commit of this process so far, on disk, before the marker goes.
        try sync()
        try marker.remove()
        return try outcome.get()
    }

    /// Whether commits of this process flush now (false inside `deferringFlushes`).
    public var flushesOnCommit: Bool {
        environment.flushesOnCommit
    }

    private func deferral(starts: Bool) throws {
        try deferrals.withLock { count in
            let next = count + (starts ? 1 : -1)
            // The first deferral turns flushing off, the last one's end turns it back on.
            if next == (starts ? 1 : 0) {
                try wrap { try environment.setFlushesOnCommit(!starts) }
            }
            count = next
        }
    }

    /// Unmaps the pages of the store this process has read (they stay in the page cache), so a
    /// bulk writer's resident memory does not grow with the store.
    public func releaseMappedPages() {
        environment.releaseMappedPages()
    }

    /// The table named `name`; asking for a table the store was not opened with is a bug.
    public func table(_ name: String) throws -> Table {
        guard let table = tablesByName[name] else {
            throw LedgerError(.invalidRequest, "projection store \(directory) has no table \(name)")
        }
        return table
    }

    /// Runs `body` in a read-only snapshot.
    public func read<Result>(_ body: (ProjectionTransaction) throws -> Result) throws -> Result {
        try wrap { try environment.read { try body(ProjectionTransaction(txn: $0, meta: meta)) } }
    }

    /// Runs `body` in a write transaction and commits it; an error aborts it. Call it from a
    /// thread you may block, never across an `await` (the transaction belongs to the thread).
    public func write<Result>(_ body: (ProjectionTransaction) throws -> Result) throws -> Result {
        try wrap { try environment.write { try body(ProjectionTransaction(txn: $0, meta: meta)) } }
    }

    private func wrap<Result>(_ body: () throws -> Result) throws -> Result {
        do {
            return try body()
        } catch let error as LMDBError {
            throw LedgerError(.storage, "projection store \(directory) failed", cause: error)
        }
    }
}

/// A transaction on a projection store, lent to a closure.
public struct ProjectionTransaction {
    let txn: LMDBTransaction
    let meta: MDB_dbi

    private static let checkpointKey = Array("checkpoint".utf8)
    private static let headHashKey = Array("checkpoint.head-hash".utf8)

    /// The last log position this projection has applied (0 when none).
    public func checkpoint() throws -> UInt64 {
        try Self.checkpointKey.withUnsafeBytes { key in
            try txn.get(meta, key: key).flatMap(Ledger.decodePosition)
        } ?? 0
    }

    /// The log's chain hash at the checkpoint, kept beside it (`setCheckpoint`); nil for a
    /// store whose last commit was made by a build that did not keep it.
    public func headHash() throws -> [UInt8]? {
        try Self.headHashKey.withUnsafeBytes { key in try txn.get(meta, key: key).map { Array($0) } }
    }

    /// Records the last log position applied and the log's chain hash there (the stored hash
    /// of that record, `EventRecord.genesisHash` for position 0); write it in the same
    /// transaction as the state. With the hash, a projection can tell a log that was lost,
    /// rolled back or replaced from one it has folded (`Ledger.checkProjectionHead`).
    public func setCheckpoint(_ position: UInt64, headHash: [UInt8]) throws {
        guard headHash.count == EventRecord.hashLength else {
            throw LedgerError(.invalidRequest, "a head hash is \(EventRecord.hashLength) bytes, not \(headHash.count)")
        }
        try Self.checkpointKey.withUnsafeBytes { key in
            try withUnsafeBytes(of: position.bigEndian) { value in _ = try txn.put(meta, key: key, value: value) }
        }
        try Self.headHashKey.withUnsafeBytes { key in
            try headHash.withUnsafeBytes { value in _ = try txn.put(meta, key: key, value: value) }
        }
    }

    /// Records a checkpoint without a head hash, as builds before the hash did: for tests of
    /// stores those builds left behind.
    func setCheckpointWithoutHeadHash(_ position: UInt64) throws {
        try Self.checkpointKey.withUnsafeBytes { key in
            try withUnsafeBytes(of: position.bigEndian) { value in _ = try txn.put(meta, key: key, value: value) }
        }
        _ = try Self.headHashKey.withUnsafeBytes { key in try txn.delete(meta, key: key) }
    }

    /// The value under `key`, copied out, or nil.
    public func get(_ table: ProjectionStore.Table, _ key: [UInt8]) throws -> [UInt8]? {
        try key.withUnsafeBytes { key in try txn.get(table.dbi, key: key).map { Array($0) } }
    }

    /// Runs `body` with the value under `key` in place (valid only inside `body`), or nil.
    public func withValue<Result>(_ table: ProjectionStore.Table, _ key: [UInt8], _ body: (UnsafeRawBufferPointer?) throws -> Result) throws -> Result {
        try key.withUnsafeBytes { key in try body(try txn.get(table.dbi, key: key)) }
    }

    /// Stores `value` under `key`. With `append`, keys must come in ascending order (a
    /// rebuild writing sorted tables); LMDB then skips the search and fills pages fully.
    public func put(_ table: ProjectionStore.Table, _ key: [UInt8], _ value: [UInt8], append: Bool = false) throws {
        try key.withUnsafeBytes { key in
            try value.withUnsafeBytes { value in
                guard try txn.put(table.dbi, key: key, value: value, flags: append ? MDB_APPEND : 0) else {
                    throw LedgerError(.invalidRequest, "keys appended to \(table.name) out of order")
                }
            }
        }
    }

    /// Rewrites the values under `keys` (ascending) with one search each: `body` gets a key's
    /// index and its value (nil when absent; valid only inside `body`, which must not write)
    /// and returns the new value, or nil to remove the key (or leave it absent).
    ///
    /// lmdb.h, MDB_CURRENT: "replace the item at the current cursor position. [...] This is
    /// intended to be used when the new data is the same size as the old. Otherwise it will
    /// simply perform a delete of the old record followed by an insert." Both happen where
    /// the cursor stands: the key is searched once, not again for the put.
    public func update(_ table: ProjectionStore.Table, keys: [[UInt8]], _ body: (Int, UnsafeRawBufferPointer?) throws -> [UInt8]?) throws {
        try txn.withCursor(table.dbi) { cursor in
            for (index, key) in keys.enumerated() {
                try key.withUnsafeBytes { key in
                    let stored = try cursor.find(key)
                    let new = try body(index, stored)
                    if let new {
                        try new.withUnsafeBytes { value in
                            _ = try cursor.put(key: key, value: value, flags: stored == nil ? 0 : MDB_CURRENT)
                        }
                    } else if stored != nil {
                        try cursor.deleteCurrent()
                    }
                }
            }
        }
    }

    /// Stores `value` under `key` unless the key is there already (`MDB_NOOVERWRITE`); returns
    /// whether it stored it. One search instead of a `get` and a `put` for keys mostly new.
    public func insert(_ table: ProjectionStore.Table, _ key: [UInt8], _ value: [UInt8]) throws -> Bool {
        try key.withUnsafeBytes { key in
            try value.withUnsafeBytes { value in
                try txn.put(table.dbi, key: key, value: value, flags: MDB_NOOVERWRITE)
            }
        }
    }

    /// `insert` for a value given as raw bytes (a stream number, without an array for it).
    public func insert(_ table: ProjectionStore.Table, _ key: [UInt8], bytes value: UnsafeRawBufferPointer) throws -> Bool {
        try key.withUnsafeBytes { key in try txn.put(table.dbi, key: key, value: value, flags: MDB_NOOVERWRITE) }
    }

    /// Removes `key`; returns whether it was there.
    @discardableResult
    public func delete(_ table: ProjectionStore.Table, _ key: [UInt8]) throws -> Bool {
        try key.withUnsafeBytes { try txn.delete(table.dbi, key: $0) }
    }

    /// Calls `body` with each entry from `start` (or the first) on, in key order, until it
    /// returns false.
    public func forEach(_ table: ProjectionStore.Table, from start: [UInt8]? = nil, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool) throws {
        try txn.withCursor(table.dbi) { cursor in
            var entry = try start.map { start in try start.withUnsafeBytes { try cursor.seek(atOrAfter: $0) } } ?? cursor.move(MDB_FIRST)
            while let current = entry {
                guard try body(current.key, current.value) else { return }
                entry = try cursor.move(MDB_NEXT)
            }
        }
    }

    /// The number of entries in `table`.
    public func count(_ table: ProjectionStore.Table) throws -> Int {
        try txn.count(table.dbi)
    }

    /// Lends `body` a reader that walks `table` in key order one entry at a time, for
    /// comparisons that walk another sorted sequence beside it.
    public func withReader<Result>(_ table: ProjectionStore.Table, _ body: (inout ProjectionTableReader) throws -> Result) throws -> Result {
        try txn.withCursor(table.dbi) { cursor in
            var reader = ProjectionTableReader(cursor: cursor)
            return try body(&reader)
        }
    }
}

extension ProjectionTransaction {
    /// Lends `body` an appender for `table`, for bulk writes in ascending key order after the
    /// table's last key: one cursor stays at the end, so no key is searched from the root
    /// (`MDB_APPEND` through `mdb_cursor_put`).
    public func withAppender<Result>(_ table: ProjectionStore.Table, _ body: (inout ProjectionTableAppender) throws -> Result) throws -> Result {
        try txn.withCursor(table.dbi) { cursor in
            var appender = ProjectionTableAppender(cursor: cursor, name: table.name)
            return try body(&appender)
        }
    }
}

/// Appends to one table of a projection transaction; lent by `withAppender` only.
public struct ProjectionTableAppender {
    let cursor: LMDBCursor
    let name: String

    /// Stores `value` under `key`, which must sort after every key already in the table.
    public mutating func append(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws {
        guard try cursor.put(key: key, value: value, flags: MDB_APPEND) else {
            throw LedgerError(.invalidRequest, "keys appended to \(name) out of order")
        }
    }

    /// Stores `value` under `key` if it sorts after every key in the table; returns false,
    /// storing nothing, if it does not.
    public mutating func appendIfLast(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws -> Bool {
        try cursor.put(key: key, value: value, flags: MDB_APPEND)
    }
}

/// Walks one table of a projection transaction in key order; lent by `withReader` only.
public struct ProjectionTableReader {
    let cursor: LMDBCursor
    var started = false

    /// The next entry, nil past the last; its bytes are valid until the transaction ends.
    public mutating func next() throws -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)? {
        let entry = try cursor.move(started ? MDB_NEXT : MDB_FIRST)
        started = true
        return entry.map { ($0.key, $0.value) }
    }
}
