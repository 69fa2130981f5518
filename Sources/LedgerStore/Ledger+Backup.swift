import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension Ledger {
    /// Writes a consistent, compacted copy of the whole store into `directory` (created if
    /// needed, and it must hold no store), while appends go on, with the key root beside it.
    ///
    /// The root is copied while no erasure can rotate a bucket (the root lock is held shared),
    /// so the copied keys table and root belong together. Compaction leaves out LMDB's free
    /// pages, so a backup holds no copy of a key destroyed before it began.
    ///
    /// lmdb.h, mdb_env_copy2: "This function may be used to make a backup of an existing
    /// environment. No lockfile is created, since it gets recreated at need." With
    /// MDB_CP_COMPACT: "Perform compaction while copying: omit free pages and sequentially
    /// renumber all pages in output."
    public func backup(to directory: String) throws {
        do {
            try PrivateFiles.makeDirectories(directory)
        } catch {
            throw LedgerError(.storage, "cannot create backup directory \(directory): \(error.localizedDescription)")
        }
        if access(directory + "/data.mdb", F_OK) == 0 {
            throw LedgerError(.invalidRequest, "\(directory) already holds a store; back up into an empty directory")
        }
        let rotations = try StoreLock(path: vault.lockPath, exclusive: false, wait: true)
        defer { rotations.release() }
        try storage("back up to \(directory)") {
            try environment.copy(to: directory, compact: true)
        }
        // mdb_env_copy2 creates the copy with mode 0666 less the umask, and does not flush it.
        try PrivateFiles.seal(directory + "/data.mdb")
        try PrivateFiles.makeDirectory(directory + "/keys")
        try Self.copyFile(vault.rootPath, to: directory + "/keys/root")
    }

    /// Replaces the store in `directory` with the backup in `source`, after verifying the
    /// backup; refused while any process has the store open. The replaced store is kept beside
    /// it as `DIRECTORY.replaced-TIME` and its path returned (nil when there was none).
    public static func restore(from source: String, to directory: String) throws -> String? {
        guard access(source + "/data.mdb", R_OK) == 0 else {
            throw LedgerError(.invalidRequest, "\(source) holds no ledger backup (no data.mdb)")
        }
        // Verify the backup before anything is touched.
        do {
            let backup = try Ledger(directory: source)
            defer { backup.close() }
            let report = try backup.verify()
            guard report.isValid else {
                throw LedgerError(.corrupt, "the backup in \(source) does not verify: first bad position \(report.firstBadPosition.map(String.init) ?? "unknown")")
            }
        }
        let exists = access(directory, F_OK) == 0
        let lock: StoreLock? = exists ? try StoreLock(directory: directory, exclusive: true, wait: false) : nil
        let staging = directory + ".restoring-\(getpid())"
        try PrivateFiles.makeDirectory(staging)
        try copyFile(source + "/data.mdb", to: staging + "/data.mdb")
        if access(source + "/keys/root", R_OK) == 0 {
            try PrivateFiles.makeDirectory(staging + "/keys")
            try copyFile(source + "/keys/root", to: staging + "/keys/root")
        }
        var replaced: String?
        if exists {
            let aside = directory + ".replaced-\(Ledger.systemClock() / 1_000_000)"
            guard rename(directory, aside) == 0 else {
                throw LedgerError(.storage, "cannot move the old store aside: \(String(cString: strerror(errno)))")
            }
            replaced = aside
        }
        guard rename(staging, directory) == 0 else {
            throw LedgerError(.storage, "cannot move the restored store into place: \(String(cString: strerror(errno)))")
        }
        // Held until the new store is in place, so no process opens the old one meanwhile.
        withExtendedLifetime(lock) {}
        return replaced
    }

    private static func copyFile(_ source: String, to destination: String) throws {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw LedgerError(.storage, "cannot read \(source): \(String(cString: strerror(errno)))") }
        defer { Glibc.close(input) }
        let output = try PrivateFiles.open(destination, O_WRONLY | O_TRUNC)
        defer { Glibc.close(output) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(input, $0.baseAddress, $0.count) }
            if count < 0 { throw LedgerError(.storage, "reading \(source) failed: \(String(cString: strerror(errno)))") }
            if count == 0 { break }
            var written = 0
            while written < count {
                let result = buffer.withUnsafeBytes { Glibc.write(output, $0.baseAddress?.advanced(by: written), count - written) }
                guard result > 0 else { throw LedgerError(.storage, "writing \(destination) failed: \(String(cString: strerror(errno)))") }
                written += result
            }
        }
        // The restored store must survive a crash right after we say it is in place.
        guard fsync(output) == 0 else { throw LedgerError(.storage, "fsync of \(destination) failed: \(String(cString: strerror(errno)))") }
    }
}
