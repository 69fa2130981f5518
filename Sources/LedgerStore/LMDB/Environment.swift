import CLMDB
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The owner of one LMDB environment (a directory holding `data.mdb` and `lock.mdb`).
///
/// Transactions are only lent to closures, so none outlives its scope or crosses an `await`.
/// The map grows by itself: on `MDB_MAP_FULL` the write is aborted, the map doubled and the
/// write run again; on `MDB_MAP_RESIZED` (another process grew it) the new size is adopted.
///
/// `@unchecked Sendable`: an `MDB_env` may be used from any thread with `MDB_NOTLS`; the one
/// call that needs every transaction of the process to be closed, `mdb_env_set_mapsize`, is
/// taken under the exclusive side of `resizeLock`, and every transaction holds its shared side.
final class LMDBEnvironment: @unchecked Sendable {
    let handle: OpaquePointer
    let path: String
    private let resizeLock: UnsafeMutablePointer<pthread_rwlock_t>
    private var isClosed = false
    /// The data file's mappings, as `mappedRanges` last found them.
    private let mapped = Mutex<(file: String, ranges: [Range<UInt>])?>(nil)

    /// Opens (creating if needed) the environment in directory `path`, with `flags` beside
    /// `MDB_NOTLS` (a projection store adds `MDB_NOMETASYNC`).
    ///
    /// Before LMDB maps anything, the data file is checked (`DataFileCheck`: a file cut short
    /// or with damaged meta pages is refused, naming the check, instead of a SIGBUS later) and
    /// the lock file's space is allocated (`preallocateLockFile`: a full disk is an error
    /// here, not a SIGBUS at LMDB's first write through its map).
    init(path: String, mapSize: Int, maxDatabases: UInt32, maxReaders: UInt32 = 126, flags: UInt32 = 0) throws {
        try DataFileCheck.check(directory: path)
        try Self.preallocateLockFile(directory: path, readers: maxReaders)
        var env: OpaquePointer?
        try check(mdb_env_create(&env), "mdb_env_create")
        guard let env else { throw LMDBError(code: ENOMEM, operation: "mdb_env_create") }
        do {
            try check(mdb_env_set_maxdbs(env, maxDatabases), "mdb_env_set_maxdbs")
            try check(mdb_env_set_maxreaders(env, maxReaders), "mdb_env_set_maxreaders")
            try check(mdb_env_set_mapsize(env, mapSize), "mdb_env_set_mapsize")
            // MDB_NOTLS: read transactions are not tied to a thread, since Swift tasks may run
            // on any thread. Durability stays the default unless `flags` says otherwise: every
            // commit is fsynced.
            // lmdb.h, mdb_env_open: "mode: The UNIX permissions to set on created files and
            // semaphores." Owner only: the files hold personal data (see PrivateFiles).
            try check(mdb_env_open(env, path, UInt32(MDB_NOTLS) | flags, 0o600), "mdb_env_open \(path)")
            // lmdb.h: "Check for stale entries in the reader lock table." A process killed
            // while reading leaves its slot behind, which would pin old pages forever.
            var dead: Int32 = 0
            try check(mdb_reader_check(env, &dead), "mdb_reader_check")
        } catch {
            mdb_env_close(env)
            throw error
        }
        self.handle = env
        self.path = path
        resizeLock = .allocate(capacity: 1)
        var attributes = pthread_rwlockattr_t()
        pthread_rwlockattr_init(&attributes)
        // Prefer the resizer, so that a steady stream of readers cannot starve map growth.
        // This makes nested read locks unsafe, so no transaction is opened inside another.
        pthread_rwlockattr_setkind_np(&attributes, Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP))
        pthread_rwlock_init(resizeLock, &attributes)
        pthread_rwlockattr_destroy(&attributes)
    }

    deinit {
        close()
        pthread_rwlock_destroy(resizeLock)
        resizeLock.deallocate()
    }

    /// Closes the environment; every transaction must have ended.
    func close() {
        pthread_rwlock_wrlock(resizeLock)
        defer { pthread_rwlock_unlock(resizeLock) }
        guard !isClosed else { return }
        isClosed = true
        mdb_env_close(handle)
    }

    /// Drops this process's page-table entries for the memory map: madvise(MADV_DONTNEED).
    ///
    /// LMDB maps the file read-only and shared (no `MDB_WRITEMAP`) and writes with pwrite, so
    /// nothing is lost: the pages stay in the page cache and are mapped again when next read.
    /// A bulk writer's random index reads would otherwise keep every page they touched (and,
    /// through the kernel's fault-around, its neighbours) in its resident set. Taken under the
    /// shared side of the resize lock, so the map is not moved meanwhile.
    ///
    /// It may be called from inside a transaction of this environment (a bulk writer's
    /// `MappedPageGuard`), so it only tries the lock: with a resizer waiting, a nested read
    /// lock would wait for it while it waits for the transaction (the lock prefers writers).
    /// Then nothing is released; the next look will.
    func releaseMappedPages() {
        guard pthread_rwlock_tryrdlock(resizeLock) == 0 else { return }
        defer { pthread_rwlock_unlock(resizeLock) }
        guard !isClosed else { return }
        for range in mappedRanges() {
            guard let address = UnsafeMutableRawPointer(bitPattern: range.lowerBound) else { continue }
            _ = madvise(address, Int(range.upperBound - range.lowerBound), MADV_DONTNEED)
        }
    }

    /// Where this process maps the data file. mdb_env_info's me_mapaddr is only set for
    /// MDB_FIXEDMAP, so the map is found by its file in /proc/self/maps ("start-end perms offset
    /// dev inode path"). An import releases its maps a thousand times, so the ranges found are
    /// kept and checked each time with one readlink of /proc/self/map_files/START-END ("a
    /// symbolic link [...] for each memory-mapped file region", proc(5)), whose target is the
    /// mapped file; the caller holds the resize lock, so this process cannot move the map
    /// between the check and the madvise. Anything unexpected reads /proc/self/maps again: a
    /// stale range must never be released, since another mapping may have taken its place.
    private func mappedRanges() -> [Range<UInt>] {
        mapped.withLock { cache in
            if let cache, !cache.ranges.isEmpty, cache.ranges.allSatisfy({ Self.maps($0, file: cache.file) }) {
                return cache.ranges
            }
            guard let resolved = realpath(path, nil) else { return [] }
            let file = String(cString: resolved) + "/data.mdb"
            free(resolved)
            // Read to the end: /proc files report a size of 0, which whole-file readers may trust.
            guard let handle = FileHandle(forReadingAtPath: "/proc/self/maps") else { return [] }
            let maps = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
            try? handle.close()
            var ranges = [Range<UInt>]()
            for line in maps.split(separator: "\n") where line.hasSuffix(file) {
                let range = line.prefix { $0 != " " }.split(separator: "-")
                guard range.count == 2, let start = UInt(range[0], radix: 16), let end = UInt(range[1], radix: 16), end > start else { continue }
                ranges.append(start..<end)
            }
            cache = (file, ranges)
            return ranges
        }
    }

    /// Whether `range` is still a mapping of `file` in this process.
    private static func maps(_ range: Range<UInt>, file: String) -> Bool {
        let link = "/proc/self/map_files/" + String(range.lowerBound, radix: 16) + "-" + String(range.upperBound, radix: 16)
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(PATH_MAX) + 1) { buffer in
            guard let base = buffer.baseAddress else { return false }
            let count = readlink(link, base, Int(PATH_MAX))
            guard count > 0 else { return false }
            let target = UnsafeBufferPointer(start: UnsafeRawPointer(base).assumingMemoryBound(to: UInt8.self), count: count)
            return String(decoding: target, as: UTF8.self) == file
        }
    }

    /// Flushes every committed transaction to disk, the meta page included (for an
    /// environment opened with `MDB_NOMETASYNC`, whose commits leave that to the next one).
    func sync() throws(LMDBError) {
        pthread_rwlock_rdlock(resizeLock)
        defer { pthread_rwlock_unlock(resizeLock) }
        // lmdb.h: "LMDB always flushes the OS buffers upon commit as well, unless the
        // environment was opened with MDB_NOSYNC or in part MDB_NOMETASYNC." and "force: If
        // non-zero, force a synchronous flush."
        try check(mdb_env_sync(handle, 1), "mdb_env_sync")
    }

    /// Turns the flush at each commit off or back on (`MDB_NOSYNC`), between transactions of
    /// this environment: set inside a write transaction, which no other commit can overlap.
    /// lmdb.h, on MDB_NOSYNC: "This flag may be changed at any time using
    /// mdb_env_set_flags()", and on mdb_env_set_flags: "If several threads change the flags at
    /// the same time, the result is undefined."
    func setFlushesOnCommit(_ flushes: Bool) throws {
        try write { _ in
            try check(mdb_env_set_flags(handle, UInt32(MDB_NOSYNC), flushes ? 0 : 1), "mdb_env_set_flags")
        }
    }

    /// Whether commits flush (false while `MDB_NOSYNC` is set).
    var flushesOnCommit: Bool {
        var flags: UInt32 = 0
        mdb_env_get_flags(handle, &flags)
        return flags & UInt32(MDB_NOSYNC) == 0
    }

    /// The current map size in bytes.
    var mapSize: Int {
        var info = MDB_envinfo()
        mdb_env_info(handle, &info)
        return info.me_mapsize
    }

    /// Opens named databases, creating them, in one write transaction.
    func openDatabases(_ names: [String], flags: UInt32 = 0) throws -> [MDB_dbi] {
        try write { txn in
            var handles = [MDB_dbi]()
            for name in names {
                var dbi: MDB_dbi = 0
                try check(mdb_dbi_open(txn.handle, name, UInt32(MDB_CREATE) | flags, &dbi), "mdb_dbi_open \(name)")
                handles.append(dbi)
            }
            return handles
        }
    }

    /// Runs `body` in a read-only transaction, which sees one consistent snapshot.
    func read<Result>(_ body: (LMDBTransaction) throws -> Result) throws -> Result {
        while true {
            pthread_rwlock_rdlock(resizeLock)
            var txn: OpaquePointer?
            let code = mdb_txn_begin(handle, nil, UInt32(MDB_RDONLY), &txn)
            guard code == MDB_SUCCESS, let txn else {
                pthread_rwlock_unlock(resizeLock)
                if code == MDB_MAP_RESIZED {
                    try adoptNewMapSize()
                    continue
                }
                throw LMDBError(code: code, operation: "mdb_txn_begin (read)")
            }
            defer {
                mdb_txn_abort(txn)
                pthread_rwlock_unlock(resizeLock)
            }
            return try body(LMDBTransaction(handle: txn))
        }
    }

    /// Runs `body` in a read-only transaction if one can begin without waiting; nil when the
    /// map is being grown or a resizer waits for it.
    ///
    /// For a second snapshot taken by another thread while the caller's job holds one: with
    /// the resizer preferred, waiting there could deadlock (the resizer waits for the first
    /// snapshot to end, which waits for the second).
    func readIfFree<Result>(_ body: (LMDBTransaction) throws -> Result) throws -> Result? {
        guard pthread_rwlock_tryrdlock(resizeLock) == 0 else { return nil }
        var txn: OpaquePointer?
        let code = mdb_txn_begin(handle, nil, UInt32(MDB_RDONLY), &txn)
        guard code == MDB_SUCCESS, let txn else {
            pthread_rwlock_unlock(resizeLock)
            if code == MDB_MAP_RESIZED { return nil }
            throw LMDBError(code: code, operation: "mdb_txn_begin (read)")
        }
        defer {
            mdb_txn_abort(txn)
            pthread_rwlock_unlock(resizeLock)
        }
        return try body(LMDBTransaction(handle: txn))
    }

    /// Runs `body` in a write transaction and commits it; an error from `body` aborts it.
    ///
    /// When the map fills, the transaction is aborted, the map grown and `body` run again
    /// from the start, so `body` must only change state through the transaction.
    func write<Result>(_ body: (LMDBTransaction) throws -> Result) throws -> Result {
        while true {
            pthread_rwlock_rdlock(resizeLock)
            var txn: OpaquePointer?
            let beginCode = mdb_txn_begin(handle, nil, 0, &txn)
            guard beginCode == MDB_SUCCESS, let txn else {
                pthread_rwlock_unlock(resizeLock)
                if beginCode == MDB_MAP_RESIZED {
                    try adoptNewMapSize()
                    continue
                }
                throw LMDBError(code: beginCode, operation: "mdb_txn_begin (write)")
            }
            let result: Result
            do {
                result = try body(LMDBTransaction(handle: txn))
            } catch let error as LMDBError where error.isMapFull {
                mdb_txn_abort(txn)
                pthread_rwlock_unlock(resizeLock)
                try grow()
                continue
            } catch {
                mdb_txn_abort(txn)
                pthread_rwlock_unlock(resizeLock)
                throw error
            }
            let commitCode = mdb_txn_commit(txn)
            pthread_rwlock_unlock(resizeLock)
            if commitCode == MDB_MAP_FULL {
                try grow()
                continue
            }
            try check(Self.spaceAware(commitCode, path: path), "mdb_txn_commit \(path)")
            return result
        }
    }

    /// Doubles the map size; called with no transaction of this process open.
    func grow() throws(LMDBError) {
        pthread_rwlock_wrlock(resizeLock)
        defer { pthread_rwlock_unlock(resizeLock) }
        var info = MDB_envinfo()
        mdb_env_info(handle, &info)
        let doubled = info.me_mapsize.multipliedReportingOverflow(by: 2)
        guard !doubled.overflow else { throw LMDBError(code: MDB_MAP_FULL, operation: "grow map") }
        // lmdb.h: "This function may only be called if no transactions are active in this
        // process." The exclusive lock guarantees it.
        try check(mdb_env_set_mapsize(handle, doubled.partialValue), "mdb_env_set_mapsize")
    }

    /// Takes the map size another process has set.
    private func adoptNewMapSize() throws(LMDBError) {
        pthread_rwlock_wrlock(resizeLock)
        defer { pthread_rwlock_unlock(resizeLock) }
        // lmdb.h: "If the mapsize is increased by another process, ... mdb_env_set_mapsize()
        // may be called with a size of zero to adopt the new size."
        try check(mdb_env_set_mapsize(handle, 0), "mdb_env_set_mapsize (adopt)")
    }

    /// Copies the environment to directory `destination`, compacting it, while others write.
    func copy(to destination: String, compact: Bool) throws(LMDBError) {
        pthread_rwlock_rdlock(resizeLock)
        defer { pthread_rwlock_unlock(resizeLock) }
        try check(mdb_env_copy2(handle, destination, compact ? UInt32(MDB_CP_COMPACT) : 0), "mdb_env_copy2")
    }

    /// Statistics of one database, read in its own transaction.
    func entries(of dbi: MDB_dbi, in txn: LMDBTransaction) throws(LMDBError) -> Int {
        var stat = MDB_stat()
        try check(mdb_stat(txn.handle, dbi, &stat), "mdb_stat")
        return stat.ms_entries
    }
}

extension LMDBEnvironment {
    /// The size LMDB gives a lock file for `readers` slots (mdb.c: `sizeof(MDB_txninfo)` of 192
    /// bytes, one slot included, then 64 bytes a slot), rounded up to whole 4 KiB pages.
    static func lockFileSize(readers: UInt32) -> Int {
        let bytes = 192 + 64 * (Int(readers) - 1)
        return (bytes + 4095) / 4096 * 4096
    }

    /// Creates `lock.mdb` if needed and allocates its blocks (posix_fallocate).
    ///
    /// LMDB sizes the lock file with ftruncate, which allocates nothing, and then writes into
    /// it through a shared writable map (mdb.c, mdb_env_setup_locks): on a full file system the
    /// first write to a page without a block is a SIGBUS that kills the process. Allocated
    /// here, a full disk is ENOSPC from posix_fallocate instead. LMDB keeps a lock file that is
    /// large enough ("rsize = size" when it is not shorter than it needs), so it never
    /// truncates this one again.
    static func preallocateLockFile(directory: String, readers: UInt32) throws(LMDBError) {
        let path = directory + "/lock.mdb"
        // 0600 whatever the umask, like every file of the store (PrivateFiles).
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw LMDBError(code: errno, operation: "open \(path)") }
        defer { Glibc.close(descriptor) }
        var status = stat()
        if fstat(descriptor, &status) == 0 && status.st_mode & 0o7777 != 0o600 && status.st_uid == getuid() {
            _ = fchmod(descriptor, 0o600)
        }
        // Returns the error number itself (posix_fallocate(3)); it never sets errno.
        let code = posix_fallocate(descriptor, 0, off_t(lockFileSize(readers: readers)))
        // A file system without fallocate (EOPNOTSUPP, EINVAL): LMDB sizes the file as before.
        if code != 0 && code != EOPNOTSUPP && code != EINVAL {
            throw LMDBError(code: code, operation: "posix_fallocate \(path)")
        }
    }

    /// `code`, or ENOSPC when it is EIO and the file system of `path` is full.
    ///
    /// mdb.c reports a short write of its pages as EIO ("short write, filesystem full?"), and a
    /// write to a full file system is short; the operator must hear "no space left on device".
    static func spaceAware(_ code: Int32, path: String) -> Int32 {
        guard code == EIO else { return code }
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return code }
        // Less than a megabyte left for unprivileged writers is full for a database.
        let free = UInt64(info.f_bavail) * UInt64(info.f_frsize)
        return free < 1 << 20 ? ENOSPC : code
    }
}
