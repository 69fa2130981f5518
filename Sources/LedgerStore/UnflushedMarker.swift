import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A file in a projection generation's folder saying that some of its commits may not be on
/// disk: made durable before a bulk writer turns off the flush at each commit
/// (`ProjectionStore.deferringFlushes`), removed after its final flush.
///
/// The file is `unflushed-PID` and holds the machine's boot id. Found later, it tells what the
/// kernel still holds of the writer's commits:
/// - written in another boot: the machine went down while commits were unflushed, and lmdb.h
///   says of `MDB_NOSYNC` that "a system crash can corrupt the database": the generation must
///   not be opened; it is rebuilt from the log;
/// - written in this boot by a process that is gone: the process died, but the kernel kept
///   every write it made, so one flush makes the generation whole and durable again;
/// - written in this boot by a live process: it is still writing.
struct UnflushedMarker {
    static let prefix = "unflushed-"

    /// The marker file.
    let path: String

    /// What the markers in a folder say, the worst first.
    enum Finding: Equatable {
        /// A marker from an earlier boot: commits may be lost or torn.
        case lost
        /// Markers of this boot whose writers are gone (their paths), and none from another boot.
        case abandoned([String])
        /// Only markers of live writers of this boot, or none.
        case clear
    }

    /// This boot's id (Linux: `/proc/sys/kernel/random/boot_id`); nil where there is none, and
    /// then no flush is ever deferred.
    static let bootID: String? = {
        guard let text = try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8) else { return nil }
        let id = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return id.isEmpty ? nil : id
    }()

    /// Writes this process's marker into `folder` and makes it durable (the file, then the
    /// folder's entry); nil when the boot cannot be told (no boot id).
    static func place(in folder: String) throws -> UnflushedMarker? {
        guard let bootID else { return nil }
        let marker = UnflushedMarker(path: folder + "/" + prefix + String(getpid()))
        let descriptor = try PrivateFiles.open(marker.path, O_WRONLY | O_TRUNC)
        defer { Glibc.close(descriptor) }
        let bytes = Array((bootID + "\n").utf8)
        guard bytes.withUnsafeBytes({ write(descriptor, $0.baseAddress, $0.count) }) == bytes.count, fsync(descriptor) == 0 else {
            throw failure("cannot write", marker.path)
        }
        try syncFolder(folder)
        return marker
    }

    /// Removes the marker, durably.
    func remove() throws {
        guard unlink(path) == 0 || errno == ENOENT else { throw Self.failure("cannot remove", path) }
        try Self.syncFolder((path as NSString).deletingLastPathComponent)
    }

    /// Reads every marker in `folder`.
    static func inspect(_ folder: String) -> Finding {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix(prefix) }
        var abandoned = [String]()
        for name in names.sorted() {
            let path = folder + "/" + name
            let written = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            // A marker that cannot be read, or was cut short, is taken at its worst.
            guard let written, let bootID, written == bootID else { return .lost }
            guard let pid = Int32(name.dropFirst(prefix.count)), pid > 0 else { return .lost }
            // kill(pid, 0) checks that the process exists without signalling it; EPERM means it
            // exists under another user. A reused pid only keeps the marker longer.
            if kill(pid, 0) != 0 && errno == ESRCH { abandoned.append(path) }
        }
        return abandoned.isEmpty ? .clear : .abandoned(abandoned)
    }

    private static func syncFolder(_ folder: String) throws {
        let descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("cannot open", folder) }
        defer { Glibc.close(descriptor) }
        guard fsync(descriptor) == 0 else { throw failure("cannot flush", folder) }
    }

    private static func failure(_ what: String, _ path: String) -> LedgerError {
        LedgerError(.storage, "\(what) \(path): \(String(cString: strerror(errno)))")
    }
}
