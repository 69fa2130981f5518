import Foundation
import LedgerStore
import Testing

/// `ProjectionStore.deferringFlushes` and the marker that guards it.
@Suite("Projection stores: deferred flushes")
struct ProjectionStoreFlushTests {
    static let bootID = (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8))?
        .trimmingCharacters(in: .whitespacesAndNewlines)

    static func markers(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix("unflushed-") }.sorted()
    }

    /// Writes a marker as another process would have: `unflushed-PID` holding a boot id.
    static func plant(in folder: String, pid: Int32, bootID: String) throws {
        try Data((bootID + "\n").utf8).write(to: URL(fileURLWithPath: folder + "/unflushed-\(pid)"))
    }

    /// The pid of a process that has exited (and been reaped).
    static func deadPID() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }

    @Test("commits inside deferringFlushes do not flush; a durable marker says so until the final flush")
    func deferred() throws {
        let bootID = try #require(Self.bootID, "this machine has a boot id")
        let directory = TemporaryDirectory()
        let store = try ProjectionStore(directory: directory.path, tables: ["items"])
        defer { store.close() }
        let items = try store.table("items")
        #expect(store.flushesOnCommit)
        let seen = try store.deferringFlushes {
            try store.write { try $0.put(items, [1], [1]) }
            let markers = Self.markers(in: directory.path)
            let text = try String(contentsOfFile: directory.path + "/unflushed-\(getpid())", encoding: .utf8)
            return (store.flushesOnCommit, markers, text)
        }
        #expect(seen.0 == false)
        #expect(seen.1 == ["unflushed-\(getpid())"])
        #expect(seen.2 == bootID + "\n")
        #expect(store.flushesOnCommit)
        #expect(Self.markers(in: directory.path).isEmpty)
        #expect(try store.read { try $0.get(items, [1]) } == [1])
    }

    @Test("nested deferrals keep flushes off until the outer one ends; an error still flushes and removes the marker")
    func nestedAndFailing() throws {
        _ = try #require(Self.bootID, "this machine has a boot id")
        struct Refused: Error {}
        let directory = TemporaryDirectory()
        let store = try ProjectionStore(directory: directory.path, tables: ["items"])
        defer { store.close() }
        let items = try store.table("items")
        #expect(throws: Refused.self) {
            try store.deferringFlushes {
                try store.deferringFlushes { try store.write { try $0.put(items, [2], [2]) } }
                #expect(!store.flushesOnCommit, "the outer deferral is still open")
                throw Refused()
            }
        }
        #expect(store.flushesOnCommit)
        #expect(Self.markers(in: directory.path).isEmpty)
        #expect(try store.read { try $0.get(items, [2]) } == [2])
    }

    @Test("a marker from another boot refuses the store: it may be torn")
    func lostMarker() throws {
        let directory = TemporaryDirectory()
        do {
            let store = try ProjectionStore(directory: directory.path, tables: ["items"])
            store.close()
        }
        try Self.plant(in: directory.path, pid: getpid(), bootID: "00000000-0000-0000-0000-000000000000")
        #expect(ProjectionStore.mayBeTorn(directory: directory.path))
        let error = try #require(throws: LedgerError.self) {
            try ProjectionStore(directory: directory.path, tables: ["items"])
        }
        #expect(error.code == .corrupt)
        #expect(error.message.contains("ledger rebuild"))
    }

    @Test("a marker of this boot whose process is gone is flushed away on open; a live writer's stays")
    func abandonedAndLiveMarkers() throws {
        let bootID = try #require(Self.bootID, "this machine has a boot id")
        let directory = TemporaryDirectory()
        do {
            let store = try ProjectionStore(directory: directory.path, tables: ["items"])
            try store.write { try $0.put(try store.table("items"), [3], [3]) }
            store.close()
        }
        let dead = try Self.deadPID()
        try Self.plant(in: directory.path, pid: dead, bootID: bootID)
        try Self.plant(in: directory.path, pid: getpid(), bootID: bootID)
        #expect(!ProjectionStore.mayBeTorn(directory: directory.path))
        let store = try ProjectionStore(directory: directory.path, tables: ["items"])
        defer { store.close() }
        #expect(Self.markers(in: directory.path) == ["unflushed-\(getpid())"])
        #expect(try store.read { try $0.get(try store.table("items"), [3]) } == [3])
    }
}
