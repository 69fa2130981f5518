import CLMDB
import Foundation
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
///
/// A store opened on a projection (`init(following:tables:)`) follows its live generation:
/// each transaction first checks that its generation's folder is still there (one `stat`; a
/// read trusts a look made within the last millisecond, `readTrustsLookFor`), and when a
/// rebuild or a compaction has retired it, opens the one `current` names and runs there. So no process keeps reading or writing a generation that was swapped out, however
/// long it lives; the old environment closes when its last transaction ends. Every generation
/// of a projection at the same checkpoint holds the same tables (they are folds of the same
/// log), so moving to another one mid-job changes nothing a caller can see.
public final class ProjectionStore: Sendable {
    /// One table of a projection store.
    public struct Table: Sendable, Hashable {
        let dbi: MDB_dbi
        /// The table's name.
        public let name: String
    }

    /// One open generation: its folder, environment and table handles.
    final class Generation: Sendable {
        let folder: String
        let environment: LMDBEnvironment
        let meta: MDB_dbi
        let tables: [String: Table]

        /// Opens (creating) the environment in `folder`; see `ProjectionStore.init`.
        init(folder: String, tables names: [String], mapSize: Int, unpublished: Bool) throws {
            try PrivateFiles.makeDirectory(folder)
            let unflushed = UnflushedMarker.inspect(folder)
            if unflushed == .lost {
                // `ProjectionRunner.openStore` rebuilds such a generation instead of opening it.
                throw LedgerError(.corrupt, "the projection store in \(folder) was being written without flushes when the machine went down, so it may be torn; run `ledger rebuild`")
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
                environment = try LMDBEnvironment(path: folder, mapSize: mapSize, maxDatabases: UInt32(names.count + 1), flags: flags)
                let handles = try environment.openDatabases(["meta"] + names)
                meta = handles[0]
                var byName = [String: Table]()
                for (name, dbi) in zip(names, handles.dropFirst()) { byName[name] = Table(dbi: dbi, name: name) }
                tables = byName
            } catch let error as LMDBError {
                throw LedgerError(.storage, "cannot open the projection store in \(folder)", cause: error)
            }
            self.folder = folder
            if case .abandoned(let markers) = unflushed {
                // Their writers died, the machine did not: the kernel holds every commit they made.
                do {
                    try environment.sync()
                } catch {
                    throw LedgerError(.storage, "cannot flush the projection store in \(folder)", cause: error)
                }
                for path in markers { try UnflushedMarker(path: path).remove() }
            }
        }

        /// When a look at the folder last found this generation live (`monotonicNanoseconds`).
        let seenLiveAt = Atomic<UInt64>(0)

        /// Whether a rebuild or compaction has retired this generation: its folder was moved
        /// away (`ProjectionDirectory.retire`) before it is deleted.
        var isRetired: Bool {
            access(folder + "/data.mdb", F_OK) != 0
        }
    }

    /// How long a read trusts the last look that found its generation live: a read served from
    /// a generation retired less than this ago answers what a read started that much earlier
    /// would have. Writes look every time. At tens of thousands of reads a second the look (a
    /// path walk in the kernel) was a fortieth of an API read's CPU.
    static let readTrustsLookFor: UInt64 = 1_000_000

    /// The monotonic clock in nanoseconds (the vDSO's, no system call).
    static func monotonicNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// The projection this store follows, or nil for a store fixed to one folder.
    private let projection: ProjectionDirectory?
    private let tableNames: [String]
    private let initialMapSize: Int
    /// The generation transactions run in now.
    private let live: Mutex<Generation>
    /// Open `deferringFlushes` calls of this process: the flush at each commit is off while
    /// there is one.
    private let deferrals = Mutex(0)
    /// Looks at the process's mapped pages during bulk work (`guardMappedPages`).
    private let pageGuard = Mutex<MappedPageGuard?>(nil)

    /// The folder of the generation this store has open now.
    public var directory: String { live.withLock { $0.folder } }

    var environment: LMDBEnvironment { live.withLock { $0.environment } }

    /// Opens (creating) a projection store with the named tables in `directory`, and keeps to
    /// that folder.
    ///
    /// With `unpublished`, commits do not flush at all (`MDB_NOSYNC`): for a generation that
    /// nobody reads until its builder calls `sync()` and publishes it (a rebuild), so a crash
    /// before that loses only the unpublished generation.
    public init(directory: String, tables: [String], initialMapSize: Int = 1 << 28, unpublished: Bool = false) throws {
        projection = nil
        tableNames = tables
        self.initialMapSize = initialMapSize
        live = Mutex(try Generation(folder: directory, tables: tables, mapSize: initialMapSize, unpublished: unpublished))
    }

    /// Opens the live generation of `projection` (creating the first) and follows it from one
    /// generation to the next (see the type's comment).
    public init(following projection: ProjectionDirectory, tables: [String], initialMapSize: Int = 1 << 28) throws {
        self.projection = projection
        tableNames = tables
        self.initialMapSize = initialMapSize
        live = Mutex(try Self.openLive(projection, tables: tables, mapSize: initialMapSize))
    }

    /// The generation `current` names, opened; retried when it is retired while opening (a
    /// swap between reading the pointer and opening the folder).
    private static func openLive(_ projection: ProjectionDirectory, tables: [String], mapSize: Int) throws -> Generation {
        for _ in 0..<100 {
            let folder = try projection.current()
            let existed = access(folder, F_OK) == 0
            let generation = try Generation(folder: folder, tables: tables, mapSize: mapSize, unpublished: false)
            if try projection.current() == folder && !generation.isRetired { return generation }
            // Opened a generation that was swapped out meanwhile; never leave one behind.
            generation.environment.close()
            if !existed { try? FileManager.default.removeItem(atPath: folder) }
        }
        throw LedgerError(.storage, "the live generation of \(projection.path) kept changing while it was opened")
    }

    /// The generation to run the next transaction in: the one open, unless it was retired.
    /// With `reading`, a look that found it live within `readTrustsLookFor` is taken as is.
    private func generation(reading: Bool = false) throws -> Generation {
        let open = live.withLock { $0 }
        guard let projection else { return open }
        let now = reading ? Self.monotonicNanoseconds() : 0
        if reading, now &- open.seenLiveAt.load(ordering: .relaxed) < Self.readTrustsLookFor { return open }
        guard open.isRetired else {
            if reading { open.seenLiveAt.store(now, ordering: .relaxed) }
            return open
        }
        // Under the lock, so that two threads never open the same environment twice (lmdb.h:
        // "Do not have open an LMDB database twice in the same process at the same time").
        return try live.withLock { current in
            // Another thread of this process may have moved on first.
            guard current === open else { return current }
            let next = try Self.openLive(projection, tables: tableNames, mapSize: initialMapSize)
            // A fresh environment gets the same table handles (opened in the same order).
            guard next.meta == open.meta, next.tables == open.tables else {
                next.environment.close()
                throw LedgerError(.storage, "the projection store \(next.folder) opened its tables with other handles")
            }
            current = next
            return next
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
        let generation = try generation()
        try wrap(generation) { try generation.environment.sync() }
    }

    /// Writes a copy of the generation open now into the empty folder `destination` holding
    /// only its live pages (LMDB's compacting copy), from one read snapshot, while others go
    /// on writing; the copy is not synced, and its file is set to 0600.
    ///
    /// lmdb.h, MDB_CP_COMPACT: "Perform compaction while copying: omit free pages and
    /// sequentially renumber all pages in output." A freed page may still hold a value the
    /// projection has since replaced or removed (an erased contact's); the copy holds none.
    public func copyCompacted(to destination: String) throws {
        let generation = try generation()
        try wrap(generation) { try generation.environment.copy(to: destination, compact: true) }
        // mdb_env_copy2 creates the file with mode 0666 less the umask.
        guard chmod(destination + "/data.mdb", PrivateFiles.fileMode) == 0 else {
            throw LedgerError(.storage, "cannot set the permissions of \(destination)/data.mdb: \(String(cString: strerror(errno)))")
        }
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
    ///
    /// The deferral holds for the generation open when it starts: should a swap move the
    /// store to another one meanwhile, that one flushes each commit as usual.
    public func deferringFlushes<Result>(_ body: () throws -> Result) throws -> Result {
        let generation = try generation()
        guard let marker = try UnflushedMarker.place(in: generation.folder) else { return try body() }
        do {
            try deferral(starts: true, generation)
        } catch {
            try? marker.remove()
            throw error
        }
        let outcome = Swift.Result { try body() }
        try deferral(starts: false, generation)
        // Every commit of this process so far, on disk, before the marker goes.
        try wrap(generation) { try generation.environment.sync() }
        // A retired generation's folder is gone, marker and all.
        if !generation.isRetired { try marker.remove() }
        return try outcome.get()
    }

    /// Whether commits of this process flush now (false inside `deferringFlushes`).
    public var flushesOnCommit: Bool {
        environment.flushesOnCommit
    }

    private func deferral(starts: Bool, _ generation: Generation) throws {
        try deferrals.withLock { count in
            let next = count + (starts ? 1 : -1)
            // The first deferral turns flushing off, the last one's end turns it back on.
            if next == (starts ? 1 : 0) {
                try wrap(generation) { try generation.environment.setFlushesOnCommit(!starts) }
            }
            count = next
        }
    }

    /// Unmaps the pages of the store this process has read (they stay in the page cache), so a
    /// bulk writer's resident memory does not grow with the store.
    public func releaseMappedPages() {
        environment.releaseMappedPages()
    }

    /// Has the transactions begun from now on count their index operations (gets, inserts,
    /// puts, deletes and updated keys) with `pages`, which looks at the process's mapped
    /// pages every so many from the thread making them; nil stops it. For bulk writers that
    /// keep a memory budget (`ledger import`).
    public func guardMappedPages(_ pages: MappedPageGuard?) {
        pageGuard.withLock { $0 = pages }
    }

    /// The table named `name`; asking for a table the store was not opened with is a bug.
    public func table(_ name: String) throws -> Table {
        guard let table = live.withLock({ $0.tables[name] }) else {
            throw LedgerError(.invalidRequest, "projection store \(directory) has no table \(name)")
        }
        return table
    }

    /// Runs `body` in a read-only snapshot.
    public func read<Result>(_ body: (ProjectionTransaction) throws -> Result) throws -> Result {
        let generation = try generation(reading: true)
        let pages = pageGuard.withLock { $0 }
        return try wrap(generation) { try generation.environment.read { try body(ProjectionTransaction(txn: $0, meta: generation.meta, pages: pages)) } }
    }

    /// Runs `body` in a write transaction and commits it; an error aborts it. Call it from a
    /// thread you may block, never across an `await` (the transaction belongs to the thread).
    public func write<Result>(_ body: (ProjectionTransaction) throws -> Result) throws -> Result {
        let generation = try generation()
        let pages = pageGuard.withLock { $0 }
        return try wrap(generation) { try generation.environment.write { try body(ProjectionTransaction(txn: $0, meta: generation.meta, pages: pages)) } }
    }

    private func wrap<Result>(_ generation: Generation, _ body: () throws -> Result) throws -> Result {
        do {
            return try body()
        } catch let error as LMDBError {
            throw LedgerError(.storage, "projection store \(generation.folder) failed", cause: error)
        }
    }
}

/// A transaction on a projection store, lent to a closure.
public struct ProjectionTransaction {
    let txn: LMDBTransaction
    let meta: MDB_dbi
    /// Counts the index operations of a bulk writer with a memory budget (nil otherwise).
    let pages: MappedPageGuard?

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
        pages?.tick()
        return try key.withUnsafeBytes { key in try txn.get(table.dbi, key: key).map { Array($0) } }
    }

    /// Runs `body` with the value under `key` in place (valid only inside `body`), or nil.
    public func withValue<Result>(_ table: ProjectionStore.Table, _ key: [UInt8], _ body: (UnsafeRawBufferPointer?) throws -> Result) throws -> Result {
        pages?.tick()
        return try key.withUnsafeBytes { key in try body(try txn.get(table.dbi, key: key)) }
    }

    /// Stores `value` under `key`. With `append`, keys must come in ascending order (a
    /// rebuild writing sorted tables); LMDB then skips the search and fills pages fully.
    public func put(_ table: ProjectionStore.Table, _ key: [UInt8], _ value: [UInt8], append: Bool = false) throws {
        pages?.tick()
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
                pages?.tick()
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
        pages?.tick()
        return try key.withUnsafeBytes { key in
            try value.withUnsafeBytes { value in
                try txn.put(table.dbi, key: key, value: value, flags: MDB_NOOVERWRITE)
            }
        }
    }

    /// `insert` for a value given as raw bytes (a stream number, without an array for it).
    public func insert(_ table: ProjectionStore.Table, _ key: [UInt8], bytes value: UnsafeRawBufferPointer) throws -> Bool {
        pages?.tick()
        return try key.withUnsafeBytes { key in try txn.put(table.dbi, key: key, value: value, flags: MDB_NOOVERWRITE) }
    }

    /// Removes `key`; returns whether it was there.
    @discardableResult
    public func delete(_ table: ProjectionStore.Table, _ key: [UInt8]) throws -> Bool {
        pages?.tick()
        return try key.withUnsafeBytes { try txn.delete(table.dbi, key: $0) }
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

    /// Runs `body` with an inserter for `table`: `insert` for many keys, best in ascending
    /// order, through one cursor. LMDB's cursor search first looks in the leaf page the cursor
    /// stands on, so a key that sorts into the page of the one stored before it is placed
    /// without a search from the root (mdb_cursor_set on an initialised cursor).
    public func withInserter<Result>(_ table: ProjectionStore.Table, _ body: (inout ProjectionTableInserter) throws -> Result) throws -> Result {
        try txn.withCursor(table.dbi) { cursor in
            var inserter = ProjectionTableInserter(cursor: cursor, pages: pages)
            return try body(&inserter)
        }
    }
}

/// Stores keys in one table of a projection transaction through one cursor; lent by
/// `withInserter` only.
public struct ProjectionTableInserter {
    let cursor: LMDBCursor
    let pages: MappedPageGuard?

    /// `ProjectionTransaction.insert`: stores `value` under `key` unless the key is there
    /// already (`MDB_NOOVERWRITE`); returns whether it stored it.
    public mutating func insert(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws -> Bool {
        pages?.tick()
        return try cursor.put(key: key, value: value, flags: MDB_NOOVERWRITE)
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
