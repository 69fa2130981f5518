import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension Ledger {
    /// Writes a consistent, compacted copy of the whole store into `directory` (new, or an
    /// empty folder), while appends go on, with the key root beside it; verifies the copy and
    /// returns the verification.
    ///
    /// The copy is written into a new folder beside `directory` (`DIRECTORY.partial-XXXXXX`,
    /// mode 0700), verified there, and only then renamed to `directory`: a backup that is
    /// killed, fails or does not verify never leaves anything at `directory` (a killed one may
    /// leave its `.partial-` folder, which can be deleted).
    ///
    /// The root is copied while no erasure can rotate a bucket (the root lock is held shared),
    /// so the copied keys table and root belong together. Compaction leaves out LMDB's free
    /// pages, so a backup holds no copy of a key destroyed before it began.
    ///
    /// lmdb.h, mdb_env_copy2: "This function may be used to make a backup of an existing
    /// environment. No lockfile is created, since it gets recreated at need." With
    /// MDB_CP_COMPACT: "Perform compaction while copying: omit free pages and sequentially
    /// renumber all pages in output."
    @discardableResult
    public func backup(to directory: String) throws -> VerificationReport {
        let directory = PrivateFiles.trimmedPath(directory)
        try Self.checkBackupDestination(directory)
        let parent = (directory as NSString).deletingLastPathComponent
        if !parent.isEmpty { try PrivateFiles.makeDirectories(parent) }
        let staging = try PrivateFiles.makeUniqueDirectory(directory + ".partial-")
        var placed = false
        defer { if !placed { try? FileManager.default.removeItem(atPath: staging) } }
        do {
            let rotations = try StoreLock(path: vault.lockPath, exclusive: false, wait: true)
            defer { rotations.release() }
            try storage("back up to \(staging)") {
                try environment.copy(to: staging, compact: true)
            }
            // mdb_env_copy2 creates the copy with mode 0666 less the umask, and does not flush it.
            try PrivateFiles.seal(staging + "/data.mdb")
            try PrivateFiles.makeDirectory(staging + "/keys")
            try Self.copyFile(vault.rootPath, to: staging + "/keys/root")
            // The key double opt-in links are signed with (`storeSecret(named: "forms")`): a
            // restored store keeps the links already mailed working.
            if access(directory + "/keys/forms", R_OK) == 0 {
                try Self.copyFile(directory + "/keys/forms", to: staging + "/keys/forms")
            }
        }
        let report: VerificationReport
        do {
            let copy = try Ledger(directory: staging, options: Options(logger: options.logger))
            defer { copy.close() }
            report = try copy.verify()
        }
        guard report.isValid else {
            throw LedgerError(.corrupt, "the backup copy does not verify (first bad position \(report.firstBadPosition.map(String.init) ?? "unknown")); nothing was written to \(directory)")
        }
        // rename(2) replaces an empty folder at `directory`, and fails on a non-empty one.
        guard rename(staging, directory) == 0 else {
            throw LedgerError(.storage, "cannot move the verified backup from \(staging) to \(directory): \(String(cString: strerror(errno)))")
        }
        placed = true
        try PrivateFiles.syncDirectory(parent.isEmpty ? "." : parent)
        return report
    }

    /// Refuses a backup destination that is not missing or an empty folder.
    private static func checkBackupDestination(_ directory: String) throws {
        var status = stat()
        guard lstat(directory, &status) == 0 else { return }
        guard status.st_mode & S_IFMT == S_IFDIR else {
            throw LedgerError(.invalidRequest, "\(directory) exists and is not a folder; back up into a new or empty folder")
        }
        if access(directory + "/data.mdb", F_OK) == 0 {
            throw LedgerError(.invalidRequest, "\(directory) already holds a store; back up into an empty directory")
        }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        guard entries.isEmpty else {
            throw LedgerError(.invalidRequest, "\(directory) is not empty; back up into a new or empty folder")
        }
    }

    /// Replaces the store in `directory` with the backup in `source`, after verifying the
    /// backup; refused while any process has the store open. The replaced store is kept beside
    /// it as `DIRECTORY.replaced-TIME-XXXXXX` and its path returned (nil when there was none).
    ///
    /// The backup is copied into `DIRECTORY.restoring-XXXXXX` first (mode 0700, fsynced), then
    /// renamed into place; every name is new (mkdtemp), so restores in the same second do not
    /// collide, and a restore that fails removes its copy (which holds `keys/root`).
    public static func restore(from source: String, to directory: String) throws -> String? {
        let directory = PrivateFiles.trimmedPath(directory)
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
        let staging = try PrivateFiles.makeUniqueDirectory(directory + ".restoring-")
        var placed = false
        defer { if !placed { try? FileManager.default.removeItem(atPath: staging) } }
        try copyFile(source + "/data.mdb", to: staging + "/data.mdb")
        if access(source + "/keys/root", R_OK) == 0 {
            try PrivateFiles.makeDirectory(staging + "/keys")
            try copyFile(source + "/keys/root", to: staging + "/keys/root")
            if access(source + "/keys/forms", R_OK) == 0 {
                try copyFile(source + "/keys/forms", to: staging + "/keys/forms")
            }
        }
        var replaced: String?
        if exists {
            // An empty folder of a name no one else has; rename(2) replaces it with the store.
            let aside = try PrivateFiles.makeUniqueDirectory(directory + ".replaced-\(Ledger.systemClock() / 1_000_000)-")
            guard rename(directory, aside) == 0 else {
                let reason = String(cString: strerror(errno))
                rmdir(aside)
                throw LedgerError(.storage, "cannot move the old store aside to \(aside): \(reason)")
            }
            replaced = aside
        }
        guard rename(staging, directory) == 0 else {
            let reason = String(cString: strerror(errno))
            // Put the old store back, so a failed restore changes nothing.
            if let replaced { rename(replaced, directory) }
            throw LedgerError(.storage, "cannot move the restored store into place: \(reason)")
        }
        placed = true
        let parent = (directory as NSString).deletingLastPathComponent
        try PrivateFiles.syncDirectory(parent.isEmpty ? "." : parent)
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
