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

    /// Makes `folder` the live generation and removes the others.
    public func swap(to folder: String) throws {
        let name = (folder as NSString).lastPathComponent
        try publish(name)
        for other in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] where Self.generationNumber(other) != nil && other != name {
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
