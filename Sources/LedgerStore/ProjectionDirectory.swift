import Foundation

/// Where a projection's generations live, and which one is current.
///
/// `projections/NAME/current` holds the name of the live generation folder (`g1`, `g2`, …).
/// A rebuild fills a new generation, then replaces `current` by renaming a temporary file over
/// it — an atomic step, so a reader opens either the old generation or the new one, never half
/// of one. Old generations are removed afterwards; a process that still has one open keeps
/// reading it until it reopens.
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
        if let name = try? String(contentsOfFile: pointer, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), !name.isEmpty {
            return path + "/" + name
        }
        try PrivateFiles.makeDirectories(path + "/g1")
        try publish("g1")
        return path + "/g1"
    }

    /// A new, empty generation folder for a rebuild.
    public func newGeneration() throws -> String {
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        let next = (existing.compactMap { $0.hasPrefix("g") ? Int($0.dropFirst()) : nil }.max() ?? 0) + 1
        let folder = path + "/g\(next)"
        try? FileManager.default.removeItem(atPath: folder)
        try PrivateFiles.makeDirectories(folder)
        return folder
    }

    /// Makes `folder` the live generation and removes the others.
    public func swap(to folder: String) throws {
        let name = (folder as NSString).lastPathComponent
        try publish(name)
        for other in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] where other.hasPrefix("g") && other != name {
            try? FileManager.default.removeItem(atPath: path + "/" + other)
        }
    }

    private func publish(_ name: String) throws {
        let temporary = path + "/current.tmp-\(getpid())"
        try PrivateFiles.write(Array((name + "\n").utf8), to: temporary)
        // rename(2) replaces the pointer atomically.
        guard rename(temporary, path + "/current") == 0 else {
            throw LedgerError(.storage, "cannot publish projection generation \(name) in \(path)")
        }
    }
}
