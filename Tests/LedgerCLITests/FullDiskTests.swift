import Foundation
import Testing

/// Commands on a full file system (issue 15 item 10), on a small tmpfs mounted for the test:
/// they fail with "No space left on device", never a SIGBUS, and a write the log committed is
/// not reported as failed because its projection could not follow.
///
/// Mounting needs root (and a sandbox that allows it); elsewhere these tests return at once
/// without checking anything, and say so in the test log.
@Suite("Full disk", .serialized)
struct FullDiskTests {
    /// Mounts a tmpfs of `size` (e.g. "2m") at `path`; false when this machine does not allow it.
    static func mount(_ path: String, size: String) throws -> Bool {
        guard getuid() == 0 else {
            print("full disk tests: not root, so no tmpfs to fill; skipped")
            return false
        }
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let mounted = try command("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", path])
        if !mounted { print("full disk tests: cannot mount a tmpfs here; skipped") }
        return mounted
    }

    static func unmount(_ path: String) {
        _ = try? command("/bin/umount", [path])
    }

    private static func command(_ path: String, _ arguments: [String]) throws -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    /// Fills the file system holding `folder` with a file `folder/filler`, until a write fails.
    static func fill(_ folder: String) {
        let descriptor = open(folder + "/filler", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let chunk = [UInt8](repeating: 0x5A, count: 4096)
        while chunk.withUnsafeBytes({ write(descriptor, $0.baseAddress, $0.count) }) > 0 {}
    }

    @Test("creating a store on a full disk says no space is left, and does not die of SIGBUS")
    func creatingStore() throws {
        let mountPoint = NSTemporaryDirectory() + "ledger-full-\(UUID().uuidString)"
        guard try Self.mount(mountPoint, size: "2m") else { return }
        defer {
            Self.unmount(mountPoint)
            try? FileManager.default.removeItem(atPath: mountPoint)
        }
        Self.fill(mountPoint)
        let add = try Executables.run("ledger", ["contact", "add", "--email", "a@example.com", "--store", mountPoint + "/store"], timeout: 60)
        #expect(add.signal == nil, "\(add.output)")
        #expect(add.status == 74)
        #expect(add.stderr.contains("No space left on device"), "\(add.output)")
    }

    @Test("a rebuild on a full disk says no space is left, and does not die of SIGBUS")
    func rebuild() throws {
        let mountPoint = NSTemporaryDirectory() + "ledger-full-\(UUID().uuidString)"
        guard try Self.mount(mountPoint, size: "4m") else { return }
        defer {
            Self.unmount(mountPoint)
            try? FileManager.default.removeItem(atPath: mountPoint)
        }
        let store = try DamagedStores.make(contacts: 40, in: mountPoint)
        Self.fill(mountPoint)
        let rebuild = try Executables.run("ledger", ["rebuild", "--store", store], timeout: 120)
        #expect(rebuild.signal == nil, "\(rebuild.output)")
        #expect(rebuild.status == 74)
        #expect(rebuild.stderr.contains("No space left on device"), "\(rebuild.output)")
        // The live projection is untouched: reads go on.
        try FileManager.default.removeItem(atPath: mountPoint + "/filler")
        let show = try Executables.run("ledger", ["contact", "show", "person3@example.com", "--store", store], timeout: 60)
        #expect(show.status == 0, "\(show.output)")
    }

    @Test("a contact the log committed while the projection's disk was full is a success with a warning, and is caught up later")
    func projectionBehind() throws {
        let folder = NSTemporaryDirectory() + "ledger-full-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = folder + "/store"
        let projections = store + "/projections"
        guard try Self.mount(projections, size: "1m") else { return }
        defer { Self.unmount(projections) }
        let first = try Executables.run("ledger", ["contact", "add", "--email", "first@example.com", "--store", store], timeout: 60)
        #expect(first.status == 0, "\(first.output)")
        Self.fill(projections)
        // Large custom values: the projection must grow its file to hold the new state.
        let fields = (1...8).flatMap { ["--field", "note\($0)=" + String(repeating: Character(UnicodeScalar(UInt8(96 + $0))), count: 1000)] }
        let second = try Executables.run("ledger", ["contact", "add", "--email", "second@example.com", "--store", store] + fields, timeout: 60)
        #expect(second.signal == nil, "\(second.output)")
        #expect(second.status == 0, "\(second.output)")
        #expect(second.stdout.contains("created"), "\(second.output)")
        #expect(second.stderr.contains("warning: recorded in the log"), "\(second.output)")
        #expect(second.stderr.contains("No space left on device"), "\(second.output)")
        let verify = try Executables.run("ledger", ["verify", "--store", store], timeout: 60)
        #expect(verify.status == 0, "\(verify.output)")
        try FileManager.default.removeItem(atPath: projections + "/filler")
        let show = try Executables.run("ledger", ["contact", "show", "second@example.com", "--store", store], timeout: 60)
        #expect(show.status == 0, "\(show.output)")
        #expect(show.stdout.contains("second@example.com"))
    }
}
