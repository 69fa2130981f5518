import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// The permissions of everything in a store: files 0600 and folders 0700, owner only, whatever
/// the process's umask. Projections hold e-mails, phones and names in plain form, and the log
/// and `keys/root` together decrypt everyone, so no other local user may read any of them.
///
/// Creation passes these modes and then sets them explicitly (`fchmod`/`chmod`), since the
/// umask can only take bits away from the mode given to open(2) and mkdir(2). Opening a store
/// tightens whatever is looser (`tighten(store:logger:)`), so a store made by an older build or
/// copied with `cp -r` under a permissive umask is fixed on first use.
enum PrivateFiles {
    /// The mode of every file of a store.
    static let fileMode: mode_t = 0o600
    /// The mode of every folder of a store.
    static let directoryMode: mode_t = 0o700

    /// Creates the folder `path` (its parent must exist) with mode 0700; an existing folder is
    /// left as it is. Returns whether it was created.
    @discardableResult
    static func makeDirectory(_ path: String, role: String = "folder") throws -> Bool {
        if mkdir(path, directoryMode) != 0 {
            guard errno == EEXIST else { throw failure("cannot create \(role)", path) }
            return false
        }
        guard chmod(path, directoryMode) == 0 else { throw failure("cannot set the permissions of", path) }
        return true
    }

    /// Creates the folder `path` and any missing parents, each new one with mode 0700.
    static func makeDirectories(_ path: String) throws {
        var missing = [String]()
        var candidate = path
        while !candidate.isEmpty && candidate != "/" && access(candidate, F_OK) != 0 {
            missing.append(candidate)
            candidate = (candidate as NSString).deletingLastPathComponent
        }
        for folder in missing.reversed() { try makeDirectory(folder) }
    }

    /// Creates a new folder named `prefix` and six random characters (mkdtemp(3)), mode
    /// 0700, and returns its path: a name no other process or earlier call can have taken.
    static func makeUniqueDirectory(_ prefix: String) throws -> String {
        var template = Array((prefix + "XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer -> String? in
            guard let base = buffer.baseAddress, mkdtemp(base) != nil else { return nil }
            return String(cString: base)
        }
        guard let made else { throw failure("cannot create a folder named", prefix + "XXXXXX") }
        guard chmod(made, directoryMode) == 0 else { throw failure("cannot set the permissions of", made) }
        return made
    }

    /// Makes the folder entries of `folder` durable (a rename or a new file in it).
    static func syncDirectory(_ folder: String) throws {
        let descriptor = Glibc.open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("cannot open", folder) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw failure("cannot flush", folder) }
    }

    /// Sets the file at `path` to mode 0600 and makes its contents durable.
    static func seal(_ path: String) throws {
        let descriptor = Glibc.open(path, O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("cannot open", path) }
        defer { close(descriptor) }
        guard fchmod(descriptor, fileMode) == 0 else { throw failure("cannot set the permissions of", path) }
        guard fsync(descriptor) == 0 else { throw failure("cannot flush", path) }
    }

    /// `path` without trailing slashes (`store/` → `store`), so that a name made by appending
    /// to it lands beside the folder, not inside it.
    static func trimmedPath(_ path: String) -> String {
        var path = Substring(path)
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return String(path)
    }

    /// Opens (creating with mode 0600) the file `path` with `flags`; the caller closes it.
    static func open(_ path: String, _ flags: Int32) throws -> Int32 {
        let descriptor = Glibc.open(path, flags | O_CREAT | O_CLOEXEC, fileMode)
        guard descriptor >= 0 else { throw failure("cannot open", path) }
        // A new file gets exactly 0600 whatever the umask. An existing looser one is tightened
        // too; when that fails (another owner), opening still succeeds, as it did before, and
        // `tighten(store:logger:)` reports the file when the store is opened.
        var status = stat()
        if fstat(descriptor, &status) == 0 && status.st_mode & 0o7777 != fileMode {
            _ = fchmod(descriptor, fileMode)
        }
        return descriptor
    }

    /// Writes `bytes` to a new file at `path` (replacing any), with mode 0600.
    static func write(_ bytes: [UInt8], to path: String) throws {
        let descriptor = try open(path, O_WRONLY | O_TRUNC)
        defer { close(descriptor) }
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw failure("cannot write", path) }
    }

    /// Sets every file of the store in `directory` to 0600 and every folder to 0700 where they
    /// are looser, and logs each path it changed. Only what the store owns is touched: the
    /// folder itself, its `data.mdb`, `lock.mdb` and `*.lock` files, and everything under
    /// `keys/` and `projections/`, so a store made in a shared folder by mistake does not
    /// change the rest of it. A path that cannot be changed (another owner) is logged, not
    /// fatal: the store is still usable, and the warning says what to fix.
    static func tighten(store directory: String, logger: Logger) {
        tighten(directory, isDirectory: true, logger: logger)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in names {
            let path = directory + "/" + name
            if name == "keys" || name == "projections" {
                tightenTree(path, logger: logger)
            } else if name == "data.mdb" || name == "lock.mdb" || name.hasSuffix(".lock") {
                tighten(path, isDirectory: false, logger: logger)
            }
        }
    }

    /// Tightens `root` and everything under it; symbolic links are left alone (chmod would
    /// follow them out of the store).
    static func tightenTree(_ root: String, logger: Logger) {
        var status = stat()
        guard lstat(root, &status) == 0 else { return }
        let isDirectory = status.st_mode & S_IFMT == S_IFDIR
        guard isDirectory || status.st_mode & S_IFMT == S_IFREG else { return }
        tighten(root, isDirectory: isDirectory, logger: logger)
        guard isDirectory else { return }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] {
            tightenTree(root + "/" + name, logger: logger)
        }
    }

    private static func tighten(_ path: String, isDirectory: Bool, logger: Logger) {
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        let kind = status.st_mode & S_IFMT
        guard kind == (isDirectory ? S_IFDIR : S_IFREG), status.st_mode & 0o077 != 0 else { return }
        let mode = isDirectory ? directoryMode : fileMode
        let was = String(status.st_mode & 0o7777, radix: 8)
        if chmod(path, mode) == 0 {
            logger.notice("tightened the permissions of \(path) from 0\(was) to 0\(String(mode, radix: 8))")
        } else {
            logger.warning("\(path) is readable by others (mode 0\(was)) and cannot be tightened: \(String(cString: strerror(errno))); run chmod \(String(mode, radix: 8)) on it")
        }
    }

    private static func failure(_ what: String, _ path: String) -> LedgerError {
        LedgerError(.storage, "\(what) \(path): \(String(cString: strerror(errno)))")
    }
}
