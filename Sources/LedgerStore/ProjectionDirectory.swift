import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where a projection's generations live, and which one is current.
///
/// `projections/NAME/current` holds the name of the live generation folder (`g1`, `g2`, …).
/// A rebuild fills a new generation, then replaces `current` by renaming a temporary file over
/// it — an atomic step, so a reader opens either the old generation or the new one, never half
/// of one. Old generations are removed afterwards; a process that still has one open keeps
/// reading it until it reopens.
///
/// `current` is checked before it is followed: it must hold exactly a generation name as this
/// code writes it (`g` and a number from 1, no leading zero, optionally a line break), and the
/// folder it names must be a real folder inside the projection's folder, not a link. Anything
/// else (`g1/../../..` would point the projection's plain tables at the log's own `data.mdb`)
/// is refused with an error naming the file; `ledger rebuild` writes a fresh generation and a
/// valid pointer.
public struct ProjectionDirectory: Sendable {
    /// The projection's folder.
    public let path: String

    /// The folder of projection `name` in the ledger directory `ledgerDirectory`.
    public init(ledgerDirectory: String, name: String) {
        path = ledgerDirectory + "/projections/" + name
    }

    /// The live generation's folder, creating the first when there is none.
    public func current() throws -> String {
        let pointer = path + "/current"
        if access(pointer, F_OK) == 0 {
            guard let text = try? String(contentsOfFile: pointer, encoding: .utf8) else {
                throw LedgerError(.corrupt, "cannot read \(pointer) as text; \(Self.remedy)")
            }
            let name = text.trimmingCharacters(in: .whitespacesAndNewlines)
            // An empty pointer (a crash between creating and filling it) is taken as none.
            if !name.isEmpty {
                guard Self.generationNumber(name) != nil else {
                    throw LedgerError(.corrupt, "\(pointer) does not name a generation (g followed by a number, such as g1); \(Self.remedy)")
                }
                let folder = path + "/" + name
                var status = stat()
                if lstat(folder, &status) == 0 && status.st_mode & S_IFMT != S_IFDIR {
                    throw LedgerError(.corrupt, "\(pointer) names \(name), which is not a folder inside \(path); \(Self.remedy)")
                }
                return folder
            }
        }
        try PrivateFiles.makeDirectories(path + "/g1")
        try publish("g1")
        return path + "/g1"
    }

    /// What to do about a bad `current` pointer.
    static let remedy = "the file may have been edited or damaged: run `ledger rebuild` to fold a new generation and point it there"

    /// The number of generation folder `name` (`g12` → 12); nil for any other name.
    static func generationNumber<Name: StringProtocol>(_ name: Name) -> Int? {
        let utf8 = name.utf8
        guard utf8.first == UInt8(ascii: "g"), (2...19).contains(utf8.count) else { return nil }
        let digits = utf8.dropFirst()
        guard digits.first != UInt8(ascii: "0"), digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return Int(String(decoding: digits, as: UTF8.self))
    }

    /// A new, empty generation folder for a rebuild.
    public func newGeneration() throws -> String {
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        let next = (existing.compactMap(Self.generationNumber).max() ?? 0) + 1
        let folder = path + "/g\(next)"
        try? FileManager.default.removeItem(atPath: folder)
        try PrivateFiles.makeDirectories(folder)
        return folder
    }

    /// Makes `folder` the live generation and removes the others (`retireOthers`). Call it
    /// holding the generation lock (`withGenerationLock`), as a rebuild and a compaction do.
    public func swap(to folder: String, step: (CompactionStep) -> Void = { _ in }) throws {
        let name = (folder as NSString).lastPathComponent
        try publish(name)
        step(.published)
        try retireOthers(than: name, step: step)
    }

    /// Runs `body` holding this projection's generation lock (`generations.lock`, flock), so
    /// that no two processes build, publish or delete generations at once: a rebuild, a
    /// compaction and the removal of retired generations each hold it throughout.
    public func withGenerationLock<Result>(_ body: () throws -> Result) throws -> Result {
        try PrivateFiles.makeDirectories(path)
        let lock = try StoreLock(path: path + "/generations.lock", exclusive: true, wait: true)
        defer { lock.release() }
        return try body()
    }

    /// Retires every generation but the live one, unless another process holds the generation
    /// lock (it is building one, and retires the rest itself): for a process opening the
    /// projection after one was killed between publishing a generation and deleting the old.
    public func removeRetired() throws {
        guard let live = try? String(contentsOfFile: path + "/current", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
              Self.generationNumber(live) != nil
        else { return }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        guard entries.contains(where: { $0 != live && (Self.generationNumber($0) != nil || $0.hasPrefix(Self.retiredPrefix)) }) else { return }
        guard let lock = try? StoreLock(path: path + "/generations.lock", exclusive: true, wait: false) else { return }
        defer { lock.release() }
        try retireOthers(than: live)
    }

    /// What a retired generation's folder is renamed to begin with.
    static let retiredPrefix = "retired-"

    /// Moves every generation folder but `live` out of the way, then deletes it. The rename
    /// comes first and is atomic: a process that has such a generation open sees at its next
    /// transaction that the folder is gone and moves to the live one (`ProjectionStore`), and
    /// no process can open it by a stale pointer meanwhile and leave an empty one behind.
    /// Retired folders left by a killed process are deleted too.
    func retireOthers(than live: String, step: (CompactionStep) -> Void = { _ in }) throws {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        var retired = entries.filter { $0.hasPrefix(Self.retiredPrefix) }
        for other in entries where Self.generationNumber(other) != nil && other != live {
            let target = Self.retiredPrefix + other
            try? FileManager.default.removeItem(atPath: path + "/" + target)
            guard rename(path + "/" + other, path + "/" + target) == 0 else {
                throw LedgerError(.storage, "cannot retire projection generation \(other) in \(path): \(String(cString: strerror(errno)))")
            }
            if !retired.contains(target) { retired.append(target) }
        }
        try PrivateFiles.syncDirectory(path)
        step(.retired)
        for folder in retired where FileManager.default.fileExists(atPath: path + "/" + folder) {
            do {
                try FileManager.default.removeItem(atPath: path + "/" + folder)
            } catch {
                throw LedgerError(.storage, "cannot delete the retired projection generation \(path)/\(folder)", cause: error)
            }
        }
    }

    private func publish(_ name: String) throws {
        let temporary = path + "/current.tmp-\(getpid())"
        try PrivateFiles.write(Array((name + "\n").utf8), to: temporary)
        // rename(2) replaces the pointer atomically.
        guard rename(temporary, path + "/current") == 0 else {
            throw LedgerError(.storage, "cannot publish projection generation \(name) in \(path)")
        }
        // The new pointer survives a machine crash before the old generation is deleted.
        try PrivateFiles.syncDirectory(path)
    }
}
