import Foundation
import LedgerStore
import Testing

/// A store opened on a projection follows its live generation, and a compaction leaves no
/// removed value in any file of the projection (decision 0016).
@Suite("Projection stores following generations")
struct ProjectionStoreFollowingTests {
    static func put(_ store: ProjectionStore, _ key: String, _ value: String) throws {
        let items = try store.table("items")
        try store.write { try $0.put(items, Array(key.utf8), Array(value.utf8)) }
    }

    static func get(_ store: ProjectionStore, _ key: String) throws -> String? {
        let items = try store.table("items")
        return try store.read { try $0.get(items, Array(key.utf8)) }.map { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether any file under `folder` holds `text` as raw bytes.
    static func anyFile(under folder: String, holds text: String) throws -> Bool {
        let walker = FileManager.default.enumerator(atPath: folder)
        while let relative = walker?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder + "/" + relative, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            if try Data(contentsOf: URL(fileURLWithPath: folder + "/" + relative)).range(of: Data(text.utf8)) != nil { return true }
        }
        return false
    }

    @Test("a compaction swaps in a copy without removed values; the open store moves to it and the old folder is gone")
    func compactionDropsRemovedValues() throws {
        let directory = TemporaryDirectory()
        let projection = ProjectionDirectory(ledgerDirectory: directory.path, name: "things")
        let store = try ProjectionStore(following: projection, tables: ["items"])
        defer { store.close() }
        let old = store.directory
        for index in 0..<200 { try Self.put(store, "key\(index)", "value-\(index)") }
        try Self.put(store, "secret", "removed-value-1234")
        let items = try store.table("items")
        try store.write { _ = try $0.delete(items, Array("secret".utf8)) }
        try Self.put(store, "key7", "changed")
        // The removed value is still in the file (a freed page): what the compaction is for.
        #expect(try Self.anyFile(under: projection.path, holds: "removed-value-1234"))

        var steps = [ProjectionDirectory.CompactionStep]()
        _ = try projection.compact(store, tables: ["items"], step: { steps.append($0) })
        #expect(steps == ProjectionDirectory.CompactionStep.allCases)
        #expect(!(try Self.anyFile(under: projection.path, holds: "removed-value-1234")))
        #expect(!FileManager.default.fileExists(atPath: old))
        // The same store reads and writes the new generation.
        #expect(try Self.get(store, "key7") == "changed")
        #expect(try Self.get(store, "key199") == "value-199")
        #expect(store.directory != old)
        #expect(store.directory == (try projection.current()))
        try Self.put(store, "after", "written")
        let reopened = try ProjectionStore(directory: try projection.current(), tables: ["items"])
        defer { reopened.close() }
        store.close()
        #expect(try Self.get(reopened, "after") == "written")
    }

    @Test("a store opened on a projection moves to a generation swapped in elsewhere; one fixed to a folder does not")
    func followsASwap() throws {
        let directory = TemporaryDirectory()
        let projection = ProjectionDirectory(ledgerDirectory: directory.path, name: "things")
        let store = try ProjectionStore(following: projection, tables: ["items"])
        defer { store.close() }
        try Self.put(store, "k", "first")
        let old = store.directory
        // A rebuild elsewhere: a new generation written, then swapped in.
        let fresh = try projection.newGeneration()
        let builder = try ProjectionStore(directory: fresh, tables: ["items"], unpublished: true)
        try Self.put(builder, "k", "second")
        try builder.sync()
        builder.close()
        try projection.withGenerationLock { try projection.swap(to: fresh) }
        #expect(try Self.get(store, "k") == "second")
        #expect(store.directory == fresh)
        #expect(!FileManager.default.fileExists(atPath: old))
    }

    @Test("generations left by a killed swap are deleted by the next opener, unless a builder holds the lock")
    func leftoversAreRemoved() throws {
        let directory = TemporaryDirectory()
        let projection = ProjectionDirectory(ledgerDirectory: directory.path, name: "things")
        let live = try projection.current()
        for leftover in ["g7", "retired-g3"] {
            try FileManager.default.createDirectory(atPath: projection.path + "/" + leftover, withIntermediateDirectories: true)
            try Data("old".utf8).write(to: URL(fileURLWithPath: projection.path + "/" + leftover + "/data.mdb"))
        }
        // While another holder has the lock (a rebuild building g7), nothing is touched.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = [projection.path + "/generations.lock", "-c", "echo locked; sleep 3"]
        let output = Pipe()
        holder.standardOutput = output
        try holder.run()
        // Once it says so, it holds the lock.
        _ = output.fileHandleForReading.availableData
        try projection.removeRetired()
        #expect(FileManager.default.fileExists(atPath: projection.path + "/g7"))
        holder.waitUntilExit()
        try projection.removeRetired()
        let left = try FileManager.default.contentsOfDirectory(atPath: projection.path).filter { !$0.hasSuffix(".lock") && $0 != "current" }.sorted()
        #expect(left == [(live as NSString).lastPathComponent])
    }
}
