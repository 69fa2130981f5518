import Foundation
import Testing

@Suite("ledger rebuild", .serialized)
struct RebuildCommandTests {
    /// The live generation's folder name of the contact projection in `store`.
    static func generation(_ store: String) throws -> String {
        try String(contentsOfFile: store + "/projections/contacts/current", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("rebuild swaps in a fresh generation, prints its summary on stderr, and exports the same contacts after")
    func rebuildKeepsContacts() throws {
        let store = try ContactFixtures.smallBase()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let ndjson = try ExportContactsCommandTests.export(store)
        let csv = try ExportContactsCommandTests.export(store, ["--format", "csv"])
        let before = try Self.generation(store)

        let result = try Executables.run("ledger", ["rebuild", "--store", store])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "no progress line under a million events: \(result.stderr)")
        // 27 events in the small base: 9 + 6 + 2 + 4 (erased) + 4 (merged away) + 1 (merge) + 1 (not a contact event).
        let summary = try #require(lines.last)
        #expect(summary.wholeMatch(of: /rebuilt contacts: 27 events in \d+\.\d\d s \(\d+ events\/s\)/) != nil, "\(summary)")
        let after = try Self.generation(store)
        #expect(after != before)
        let folders = try FileManager.default.contentsOfDirectory(atPath: store + "/projections/contacts").filter { $0.hasPrefix("g") && !$0.hasSuffix(".lock") || $0.hasPrefix("retired-") }
        #expect(folders == [after], "the old generation is removed")

        #expect(try ExportContactsCommandTests.export(store) == ndjson)
        #expect(try ExportContactsCommandTests.export(store, ["--format", "csv"]) == csv)
    }

    @Test("--projection contacts rebuilds that projection; a store whose projection was never built gets one")
    func namedProjection() throws {
        let store = try ContactFixtures.smallBase()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let result = try Executables.run("ledger", ["rebuild", "--projection", "contacts", "--store", store])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("rebuilt contacts: 27 events in "))
        #expect(try ExportContactsCommandTests.export(store).split(separator: "\n").count == 3)
    }

    @Test("an unknown projection is a validation error that lists the known ones")
    func unknownProjection() throws {
        let store = try ContactFixtures.smallBase()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let result = try Executables.run("ledger", ["rebuild", "--projection", "segments", "--store", store])
        #expect(result.status == 64, "ArgumentParser's exit code for a validation error")
        #expect(result.stderr.contains("unknown projection 'segments'; known projections: contacts"))
        #expect(!FileManager.default.fileExists(atPath: store + "/projections/contacts"), "nothing was rebuilt")
    }

    @Test("a current pointer that is not a generation name is refused, naming the file; rebuild replaces it")
    func tamperedPointer() throws {
        let store = try ContactFixtures.smallBase()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let ndjson = try ExportContactsCommandTests.export(store)
        let pointer = store + "/projections/contacts/current"
        // Followed, this pointed the projection's plain tables at the log's own data.mdb.
        try Data("g1/../../..\n".utf8).write(to: URL(fileURLWithPath: pointer))
        let log = try Data(contentsOf: URL(fileURLWithPath: store + "/data.mdb"))
        let refused = try Executables.run("ledger", ["export", "contacts", "--store", store])
        #expect(refused.status != 0)
        #expect(refused.stdout.isEmpty)
        #expect(refused.stderr.contains("\(pointer) does not name a generation"), "\(refused.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: store + "/data.mdb")) == log, "the log is untouched")
        #expect(try Executables.run("ledger", ["verify", "--store", store]).status == 0)

        let rebuilt = try Executables.run("ledger", ["rebuild", "--store", store])
        #expect(rebuilt.status == 0, "\(rebuilt.stderr)")
        #expect(try Self.generation(store).wholeMatch(of: /g[1-9][0-9]*/) != nil)
        #expect(try ExportContactsCommandTests.export(store) == ndjson)
    }
}
