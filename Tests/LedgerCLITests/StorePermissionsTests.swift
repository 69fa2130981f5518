import Foundation
import Testing

@Suite("Store permissions", .serialized)
struct StorePermissionsTests {
    /// Runs `ledger ARGUMENTS` under `umask 000`, so that any file or folder created without an
    /// explicit mode comes out readable by everyone.
    static func ledgerUnderOpenUmask(_ arguments: [String]) throws -> Executables.Outcome {
        let quoted = ([Executables.path("ledger")] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: #"'\''"#) + "'" }
        return try Executables.run("/bin/sh", ["-c", "umask 000 && exec " + quoted.joined(separator: " ")])
    }

    /// Every path under `root` (itself included) whose mode is not 0600 for a file or 0700 for
    /// a folder, with its mode; symbolic links and other kinds are listed as such.
    static func loosePaths(under root: String) -> [String] {
        var found = [String]()
        // Through FileManager (lstat underneath), not `stat` itself: which C module a test
        // target reads `struct stat` from depends on its other files' imports.
        func visit(_ path: String) {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                  let type = attributes[.type] as? FileAttributeType,
                  let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue
            else { return found.append("\(path): cannot stat") }
            switch type {
            case .typeDirectory:
                if mode != 0o700 { found.append("\(path): folder 0\(String(mode, radix: 8))") }
                for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] { visit(path + "/" + name) }
            case .typeRegular:
                if mode != 0o600 { found.append("\(path): file 0\(String(mode, radix: 8))") }
            default:
                found.append("\(path): not a file or folder")
            }
        }
        visit(root)
        return found
    }

    @Test("everything a store, a rebuild, a backup and a restore create is 0600 or 0700 under umask 000")
    func privateUnderOpenUmask() throws {
        let root = NSTemporaryDirectory() + "ledger-permissions-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = root + "/store"
        let steps: [[String]] = [
            ["contact", "add", "--email", "olena@example.com", "--first-name", "Olena", "--store", store],
            ["rebuild", "--store", store],
            ["export", "contacts", "--store", store],
            ["backup", root + "/backups/one", "--store", store],
            ["restore", root + "/backups/one", "--store", store],
            ["contact", "show", "olena@example.com", "--store", store],
        ]
        for step in steps {
            let outcome = try Self.ledgerUnderOpenUmask(step)
            #expect(outcome.status == 0, "\(step): \(outcome.stderr)")
        }
        let made = try FileManager.default.contentsOfDirectory(atPath: root).sorted()
        #expect(made.count == 3 && made.contains { $0.hasPrefix("store.replaced-") }, "\(made)")
        #expect(FileManager.default.fileExists(atPath: store + "/projections/contacts/current"))
        #expect(FileManager.default.fileExists(atPath: root + "/backups/one/keys/root"))
        for name in made {
            #expect(Self.loosePaths(under: root + "/" + name) == [])
        }
    }

    @Test("opening a store tightens files and folders that were made readable by others")
    func tightensOnOpen() throws {
        let store = try ContactFixtures.smallBase()
        defer { try? FileManager.default.removeItem(atPath: store) }
        _ = try ExportContactsCommandTests.export(store)
        #expect(Self.loosePaths(under: store) == [])
        let chmod = try Executables.run("/bin/chmod", ["-R", "a+rwX", store])
        #expect(chmod.status == 0)
        #expect(Self.loosePaths(under: store).count > 10)
        let stats = try Executables.run("ledger", ["stats", "--store", store])
        #expect(stats.status == 0, "\(stats.stderr)")
        #expect(Self.loosePaths(under: store) == [])
        #expect(stats.stderr.contains("tightened the permissions of \(store)/projections"), "\(stats.stderr)")
        #expect(!stats.stdout.contains("tightened"), "the notice goes to standard error only")
    }
}
