import Foundation
import LedgerStore
import Testing

/// Erasure at rest (issue 15 item 12): once `ledger erase` has returned, no file of the store
/// holds the erased person's values, in live or freed pages, whatever else has the store open.
@Suite("Erasure at rest", .serialized)
struct ErasureAtRestTests {
    /// The erased person's values, each distinctive enough that no other contact shares it.
    static let personal = [
        "zoryana.erased@example.com", "z.second@example.com", "+380501234987", "380501234987",
        "Zoryana", "Shevchuk-Erased", "crm-erased-77", "Ternopil-Erased", "Kalush-Erased",
        "paper-form-erased-42", "merged.away@example.com", "Merged-Surname", "+380631112299",
    ]

    /// A store made through the CLI: the person has an event of every kind that carries
    /// personal data (created with identifiers, names, birth date and a custom field; updated;
    /// a new e-mail; consent with evidence; a segment; an imported contact merged into it),
    /// among 40 other contacts. Returns the store.
    static func base() throws -> String {
        let store = ContactFixtures.newStorePath()
        for index in 0..<40 {
            _ = try EraseCommandTests.ledger(store, ["contact", "add", "--email", "other\(index)@example.com", "--first-name", "Other\(index)", "--field", "city=Lviv"])
        }
        _ = try EraseCommandTests.ledger(store, [
            "contact", "add", "--email", "zoryana.erased@example.com", "--phone", "+380501234987",
            "--first-name", "Zoryana", "--last-name", "Shevchuk-Erased", "--external-id", "crm-erased-77",
            "--birth-date", "1990-04-05", "--field", "city=Ternopil-Erased", "--segment", "spring",
        ])
        // Contact 41; the update replaces its e-mail (the old one stays in its history).
        _ = try EraseCommandTests.ledger(store, ["contact", "update", "zoryana.erased@example.com", "--field", "city=Kalush-Erased", "--email", "z.second@example.com"])
        _ = try EraseCommandTests.ledger(store, ["consent", "set", "#41", "--channel", "email", "--status", "confirmed", "--evidence", "paper-form-erased-42"])
        // Contact 42 comes from an import (the import seals through its own, prepared path).
        let csv = store + "-merged.csv"
        defer { try? FileManager.default.removeItem(atPath: csv) }
        try Data("Email,Last name,Phone\nmerged.away@example.com,Merged-Surname,+380631112299\n".utf8).write(to: URL(fileURLWithPath: csv))
        _ = try EraseCommandTests.ledger(store, ["import", csv])
        _ = try EraseCommandTests.ledger(store, ["contact", "merge", "#41", "merged.away@example.com"])
        return store
    }

    /// Every regular file under `folder`, recursively.
    static func files(under folder: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return [] }
        var found = [String]()
        while let relative = walker.nextObject() as? String {
            let path = folder + "/" + relative
            // Not following links (attributesOfItem reads the entry itself, as lstat does).
            if (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeRegular { found.append(path) }
        }
        return found
    }

    /// Which of `values` occur, as raw UTF-8 bytes, in which file under `store`.
    static func occurrences(of values: [String], in store: String) throws -> [String] {
        var found = [String]()
        for file in files(under: store) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
            for value in values where bytes.range(of: Data(value.utf8)) != nil {
                found.append("\(value) in \(file.dropFirst(store.count))")
            }
        }
        return found
    }

    @Test("after ledger erase, no file of the store holds the person's values in any page")
    func noPlaintextAfterErase() throws {
        let store = try Self.base()
        defer { try? FileManager.default.removeItem(atPath: store) }
        // The search can find them: before the erasure the projection holds them all.
        let before = try Self.occurrences(of: Self.personal, in: store)
        for value in ["z.second@example.com", "+380501234987", "Zoryana", "Kalush-Erased"] {
            #expect(before.contains { $0.hasPrefix(value + " in ") }, "the search did not find \(value) before the erasure")
        }

        _ = try EraseCommandTests.ledger(store, ["erase", "z.second@example.com", "--reason", "gdpr-request"])
        #expect(try Self.occurrences(of: Self.personal, in: store) == [])
        // Everyone else is still there, and the store verifies.
        #expect(try EraseCommandTests.ledger(store, ["contact", "show", "other7@example.com"]).contains("Other7"))
        #expect(try EraseCommandTests.ledger(store, ["verify", "--projections"]).contains("ok"))
    }

    /// The contact projection's tables.
    static let contactTables = ["contacts", "by-email", "by-phone", "by-external-id", "fields"]

    @Test("a process holding the projection open during the erasure moves to the compacted generation at its next transaction")
    func otherProcessMovesOn() throws {
        let store = try Self.base()
        defer { try? FileManager.default.removeItem(atPath: store) }
        // This test process is the other one: it has the live generation open, read and written.
        let follower = try ProjectionStore(following: ProjectionDirectory(ledgerDirectory: store, name: "contacts"), tables: Self.contactTables)
        defer { follower.close() }
        let old = follower.directory
        let (checkpoint, hash) = try follower.read { (try $0.checkpoint(), try $0.headHash()) }
        try follower.write { try $0.setCheckpoint(checkpoint, headHash: hash ?? []) }

        _ = try EraseCommandTests.ledger(store, ["erase", "z.second@example.com", "--reason", "gdpr-request"])
        // While it still has the old generation open: no file of the store holds the values.
        #expect(try Self.occurrences(of: Self.personal, in: store) == [])
        #expect(!FileManager.default.fileExists(atPath: old))

        // Its next transactions run in the new generation, which has the erasure applied.
        let (after, afterHash) = try follower.read { (try $0.checkpoint(), try $0.headHash()) }
        #expect(follower.directory != old)
        #expect(follower.directory == (try DamagedStores.projectionFile(store) as NSString).deletingLastPathComponent)
        #expect(after > checkpoint)
        try follower.write { try $0.setCheckpoint(after, headHash: afterHash ?? []) }
        let erased = try follower.read { transaction in
            try transaction.get(try follower.table("contacts"), withUnsafeBytes(of: UInt64(41).bigEndian) { Array($0) })
        }
        #expect(erased != nil, "the erased contact keeps a state with no personal values")

        _ = try EraseCommandTests.ledger(store, ["contact", "add", "--email", "after@example.com", "--first-name", "After"])
        #expect(try Self.occurrences(of: Self.personal, in: store) == [])
        #expect(try EraseCommandTests.ledger(store, ["verify", "--projections"]).contains("ok"))
        #expect(!(try EraseCommandTests.ledger(store, ["verify"]).contains("pending")))
    }

    @Test("an erasure killed at each step of its compaction leaves a store that opens and verifies; running it again finishes it")
    func killedAtEveryStep() throws {
        let base = try Self.base()
        defer { try? FileManager.default.removeItem(atPath: base) }
        for step in ["locked", "created", "copied", "synced", "published", "retired"] {
            let store = base + "-" + step
            defer { try? FileManager.default.removeItem(atPath: store) }
            try DamagedStores.copy(base, to: store)
            let killed = try Executables.run("ledger-stress", [store, "--erase", "#41", step], timeout: 120)
            #expect(killed.signal == SIGKILL, "\(step): \(killed.output)")
            if step == "locked" {
                // Erased and shredded, not compacted (what erase did before): the projection's
                // freed pages still hold the values, and the search finds them.
                let left = try Self.occurrences(of: Self.personal, in: store)
                #expect(left.contains { $0.hasPrefix("Zoryana in /projections/contacts/g") }, "\(left)")
            }

            // It opens and verifies, and says the erasure is pending (within its bound).
            let verify = try Executables.run("ledger", ["verify", "--store", store])
            #expect(verify.status == 0, "\(step): \(verify.stdout) \(verify.stderr)")
            #expect(verify.stdout.contains("pending: 1 erasure"), "\(step): \(verify.stdout)")
            #expect(try EraseCommandTests.ledger(store, ["contact", "show", "other7@example.com"]).contains("Other7"))
            #expect(try EraseCommandTests.ledger(store, ["verify", "--projections"]).contains("ok"))
            // Opening the projection deleted what the killed process left: only the live generation.
            let folder = store + "/projections/contacts"
            let live = try String(contentsOfFile: folder + "/current", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            let generations = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix("g") && $0 != "generations.lock" || $0.hasPrefix("retired-") }
            #expect(generations == [live], "\(step): \(generations)")

            // Running the erasure again finishes it.
            #expect(try EraseCommandTests.ledger(store, ["erase", "#41", "--reason", "gdpr-request"]).contains("already erased"))
            #expect(try Self.occurrences(of: Self.personal, in: store) == [], "\(step)")
            let after = try EraseCommandTests.ledger(store, ["verify"])
            #expect(after.contains("ok") && !after.contains("pending"), "\(step): \(after)")
        }
    }

    @Test("verify reports an erasure pending past its bound as a fault")
    func pendingPastTheBound() throws {
        let store = try Self.base()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let killed = try Executables.run("ledger-stress", [store, "--erase", "#41", "locked"], timeout: 120)
        #expect(killed.signal == SIGKILL, "\(killed.output)")
        let ledger = try Ledger(directory: store)
        defer { ledger.close() }
        let pending = try ledger.pendingErasures()
        #expect(pending.map(\.contact.rawValue) == [41])
        let since = pending.first?.since ?? 0
        #expect(try ledger.pendingErasureFaults(now: since + Ledger.erasurePendingBound).isEmpty)
        let faults = try ledger.pendingErasureFaults(now: since + Ledger.erasurePendingBound + 60)
        #expect(faults.map(\.kind) == ["erasure-pending"])
        #expect(faults.first?.message.contains("contact 41") == true)
        // Within the bound, verify passes and lists it (text and JSON).
        let json = try EraseCommandTests.ledger(store, ["verify", "--json"])
        let document = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let listed = document?["pendingErasures"] as? [[String: Any]]
        #expect(listed?.first?["contact"] as? Int == 41, "\(json)")
        #expect(listed?.first?["since"] as? Int == Int(since))
    }

    @Test("an import writing the projection while the erasure runs moves to the compacted generation; nothing of the person is left")
    func importDuringErasure() throws {
        let store = try Self.base()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let csv = store + "-import.csv"
        defer { try? FileManager.default.removeItem(atPath: csv) }
        var text = "Email,First name,City\n"
        for index in 0..<30_000 { text += "bulk\(index)@example.com,Bulk\(index),Odesa\n" }
        try Data(text.utf8).write(to: URL(fileURLWithPath: csv))

        let importer = Process()
        importer.executableURL = URL(fileURLWithPath: Executables.path("ledger"))
        importer.arguments = ["import", csv, "--store", store]
        importer.standardOutput = FileHandle.nullDevice
        importer.standardError = FileHandle.nullDevice
        try importer.run()
        // Wait until the import has written its first batches.
        let deadline = Date().addingTimeInterval(60)
        while importer.isRunning && Date() < deadline {
            if (try? Executables.run("ledger", ["contact", "show", "bulk100@example.com", "--store", store]))?.stdout.contains("Bulk100") == true { break }
            usleep(100_000)
        }
        #expect(importer.isRunning, "the import ended before the erasure began: make the file longer")
        _ = try EraseCommandTests.ledger(store, ["erase", "z.second@example.com", "--reason", "gdpr-request"])
        #expect(try Self.occurrences(of: Self.personal, in: store) == [], "while the import still runs")
        importer.waitUntilExit()
        #expect(importer.terminationStatus == 0)
        #expect(try Self.occurrences(of: Self.personal, in: store) == [])
        #expect(try EraseCommandTests.ledger(store, ["contact", "show", "bulk29999@example.com"]).contains("Bulk29999"))
        #expect(try EraseCommandTests.ledger(store, ["verify", "--projections"]).contains("ok"))
        let folder = store + "/projections/contacts"
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix("g") && !$0.hasSuffix(".lock") || $0.hasPrefix("retired-") }.count == 1)
    }
}
