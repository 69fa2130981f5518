#if canImport(Glibc)
import Glibc
#endif

extension Ledger {
    /// Writes a consistent, compacted copy of the whole store into `directory` (created if
    /// needed, and it must hold no store), while appends go on.
    ///
    /// lmdb.h, mdb_env_copy2: "This function may be used to make a backup of an existing
    /// environment. No lockfile is created, since it gets recreated at need." With
    /// MDB_CP_COMPACT: "Perform compaction while copying: omit free pages and sequentially
    /// renumber all pages in output."
    public func backup(to directory: String) throws {
        if mkdir(directory, 0o755) != 0 && errno != EEXIST {
            throw LedgerError(.storage, "cannot create backup directory \(directory): \(String(cString: strerror(errno)))")
        }
        if access(directory + "/data.mdb", F_OK) == 0 {
            throw LedgerError(.invalidRequest, "\(directory) already holds a store; back up into an empty directory")
        }
        try storage("back up to \(directory)") {
            try environment.copy(to: directory, compact: true)
        }
    }
}
