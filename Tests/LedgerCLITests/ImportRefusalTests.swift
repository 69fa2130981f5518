import Foundation
import Testing

extension Executables {
    /// Runs `name` like `run`, but kills it with SIGKILL after `seconds`: for inputs that hung the
    /// importer before it refused them, so that a regression fails the test instead of hanging it.
    /// A process ended by a signal reads as the negated signal number.
    static func run(_ name: String, _ arguments: [String], killedAfter seconds: Double) throws -> Outcome {
        let timed = try run(name, arguments, timeout: seconds)
        return Outcome(status: timed.status ?? -(timed.signal ?? 0), stdout: timed.stdout, stderr: timed.stderr)
    }
}

/// Files the importer refuses before it reads them or creates anything, and the rejects file's
/// rules; every run is bounded, since several of these inputs used to hang the importer.
@Suite("ledger import: refused files and the rejects file", .serialized)
struct ImportRefusalTests {
    static let seconds = 20.0

    /// A fresh folder for one test's files; the store path inside it is not created.
    static func folder(_ name: String) throws -> String {
        let path = NSTemporaryDirectory() + "ledger-refusal-\(name)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static let csv = "Email;First name\nolena@example.com;Олена\nivan@example.com;Іван\n"

    enum Device: String, CaseIterable { case zero, urandom, linkToZero, fifo }

    @Test("devices, links to them and FIFOs are refused at once, naming what they are, and no store is made", arguments: Device.allCases)
    func nonRegular(device: Device) throws {
        let folder = try Self.folder(device.rawValue)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file: String
        switch device {
        case .zero: file = "/dev/zero"
        case .urandom: file = "/dev/urandom"
        case .linkToZero:
            file = folder + "/contacts.csv"
            try FileManager.default.createSymbolicLink(atPath: file, withDestinationPath: "/dev/zero")
        case .fifo:
            file = folder + "/contacts.csv"
            #expect(mkfifo(file, 0o600) == 0)
        }
        let store = folder + "/store"
        let outcome = try Executables.run("ledger", ["import", file, "--store", store], killedAfter: Self.seconds)
        #expect(outcome.status == 66, "no input: \(outcome.status) \(outcome.stderr)")
        let kind = device == .fifo ? "a named pipe (FIFO)" : "a character device"
        #expect(outcome.stderr.contains(kind), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("not a regular file"), "\(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: store))
    }

    @Test("a directory, a missing file and an empty file give a clear error and create no store", arguments: ["directory", "missing", "empty"])
    func clearErrors(kind: String) throws {
        let folder = try Self.folder(kind)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/contacts.csv"
        if kind == "directory" { try FileManager.default.createDirectory(atPath: file, withIntermediateDirectories: false) }
        if kind == "empty" { _ = FileManager.default.createFile(atPath: file, contents: Data()) }
        let store = folder + "/store"
        let outcome = try Executables.run("ledger", ["import", file, "--store", store], killedAfter: Self.seconds)
        #expect(outcome.status == (kind == "empty" ? 65 : 66), "bad data or no input")
        let expected = ["directory": "contacts.csv: this is a directory, not a file",
                        "missing": "contacts.csv: the file does not exist",
                        "empty": "contacts.csv: the file is empty"][kind] ?? ""
        #expect(outcome.stderr.contains(expected), "\(outcome.stderr)")
        #expect(!outcome.stderr.contains("NSCocoaErrorDomain"))
        #expect(!FileManager.default.fileExists(atPath: store))
    }

    @Test("a symbolic link to a file over 300 MB is refused like the file itself")
    func largeThroughSymlink() throws {
        let folder = try Self.folder("large")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let huge = folder + "/huge.csv"
        _ = FileManager.default.createFile(atPath: huge, contents: Data("Email\n".utf8))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: huge))
        try handle.truncate(atOffset: 301 * 1024 * 1024)
        try handle.close()
        let link = folder + "/contacts.csv"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: huge)
        let outcome = try Executables.run("ledger", ["import", link, "--store", folder + "/store"], killedAfter: Self.seconds)
        #expect(outcome.status == 65, "bad data")
        #expect(outcome.stderr.contains("contacts.csv: the file is 301 MB, over the 300 MB limit"), "\(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/store"))
    }

    enum Alias: String, CaseIterable { case samePath, symbolicLink, hardLink }

    @Test("--rejects naming the input, or a link to it, is refused and the input is left whole", arguments: Alias.allCases)
    func rejectsIsInput(alias: Alias) throws {
        let folder = try Self.folder("rejects-\(alias.rawValue)")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/contacts.csv"
        try Data(Self.csv.utf8).write(to: URL(fileURLWithPath: file))
        var rejects = file
        if alias != .samePath {
            rejects = folder + "/rejects.csv"
            if alias == .symbolicLink {
                try FileManager.default.createSymbolicLink(atPath: rejects, withDestinationPath: file)
            } else {
                try FileManager.default.linkItem(atPath: file, toPath: rejects)
            }
        }
        let store = folder + "/store"
        let outcome = try Executables.run("ledger", ["import", file, "--store", store, "--rejects", rejects], killedAfter: Self.seconds)
        #expect(outcome.status == 64, "\(outcome.status) \(outcome.stderr)")
        #expect(outcome.stderr.contains("is the file being imported"), "\(outcome.stderr)")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == Self.csv)
        #expect(!FileManager.default.fileExists(atPath: store))
    }

    @Test("a rejects file that cannot be written (/dev/full) fails the import, naming it")
    func rejectsWriteFails() throws {
        let folder = try Self.folder("full")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/contacts.csv"
        try Data(Self.csv.utf8).write(to: URL(fileURLWithPath: file))
        // The importer before this fix replaced /dev/full with a regular file when run as root
        // (FileManager.createFile renames a new file over its target); the test needs the device.
        let full = try FileManager.default.attributesOfItem(atPath: "/dev/full")
        try #require(full[.type] as? FileAttributeType == .typeCharacterSpecial, "/dev/full is not a device here")
        let outcome = try Executables.run("ledger", ["import", file, "--store", folder + "/store", "--rejects", "/dev/full"], killedAfter: Self.seconds)
        #expect(outcome.status == 74, "I/O error: \(outcome.status) \(outcome.stderr)")
        #expect(outcome.stderr.contains("writing the rejects file /dev/full failed (No space left on device)"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("stay recorded"), "\(outcome.stderr)")
        let after = try FileManager.default.attributesOfItem(atPath: "/dev/full")
        #expect(after[.type] as? FileAttributeType == .typeCharacterSpecial, "the device was replaced")
    }

    @Test("--rejects may be a pipe (/dev/stdout here): its rows arrive whole")
    func rejectsToPipe() throws {
        let folder = try Self.folder("pipe")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/contacts.csv"
        var text = "Email;First name\n"
        for row in 0..<3_000 { text += "not-an-email-\(row);Name\(row)\n" }
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        let outcome = try Executables.run("ledger", ["import", file, "--store", folder + "/store", "--rejects", "/dev/stdout"], killedAfter: 120)
        #expect(outcome.status == 65, "every row rejected: \(outcome.stderr)")
        let rejected = outcome.stdout.split(separator: "\r\n").filter { $0.hasPrefix("not-an-email-") }
        #expect(rejected.count == 3_000, "\(outcome.stdout.prefix(500))")
    }

    @Test("one windows-1251 row early in a UTF-8 file: UTF-8, that row rejected, and a warning")
    func mixedEncoding() throws {
        let folder = try Self.folder("mixed")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var bytes = Array("Email;First name\n".utf8)
        bytes += Array("row2@example.com;".utf8) + [0xCE, 0xEB, 0xE5, 0xED, 0xE0, 0x0A]  // "Олена" in windows-1251
        for row in 3...1_002 { bytes += Array("row\(row)@example.com;Олена\n".utf8) }
        let file = folder + "/contacts.csv"
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let store = folder + "/store"
        let outcome = try Executables.run("ledger", ["import", file, "--store", store, "--json"], killedAfter: 120)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any], "\(outcome.stderr)")
        #expect(summary["encoding"] as? String == "UTF-8")
        #expect(summary["created"] as? Int == 1_000)
        #expect(summary["rejected"] as? Int == 1)
        let rejection = (summary["rejections"] as? [[String: Any]])?.first
        #expect(rejection?["row"] as? Int == 2)
        #expect((rejection?["reason"] as? String)?.contains("not valid UTF-8") == true)
        #expect((summary["warnings"] as? [String])?.first?.hasPrefix("1 row was not valid UTF-8 and was rejected") == true)
        let shown = try Executables.run("ledger", ["contact", "show", "row500@example.com", "--json", "--store", store])
        #expect(shown.stdout.contains("\"firstName\":\"Олена\""), "\(shown.stdout)")

        let text = try Executables.run("ledger", ["import", file, "--store", folder + "/dry", "--dry-run"], killedAfter: 120)
        #expect(text.stdout.contains("warning: 1 row was not valid UTF-8 and was rejected"), "\(text.stdout)")
    }
}
