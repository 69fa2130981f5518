import Foundation
import LedgerDomain
import LedgerStore
import Testing

@Suite("ledger import", .serialized)
struct ImportCommandTests {
    static let sample = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("tools/samples/contacts-ua.csv").path

    static func temporary(_ name: String) -> String {
        NSTemporaryDirectory() + "ledger-import-\(name)-\(UUID().uuidString)"
    }

    static func summary(_ outcome: Executables.Outcome) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any]
        return try #require(object, "not JSON: \(outcome.stdout) \(outcome.stderr)")
    }

    /// Starts `ledger import FILE` into `store` and kills it with SIGKILL after `delay` µs.
    static func importKilled(_ file: String, store: String, batchSize: Int, after delay: UInt32) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Executables.path("ledger"))
        process.arguments = ["import", file, "--store", store, "--batch-size", "\(batchSize)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Killed mid-import, not before the store exists: on a loaded machine the process can
        // take longer than `delay` to start (a kill before creation leaves no ledger to verify).
        let data = store + "/data.mdb"
        for _ in 0..<6_000 where process.isRunning && !FileManager.default.fileExists(atPath: data) {
            usleep(10_000)
        }
        usleep(delay)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    @Test("the sample base imports with its bad rows rejected by row and reason; a second run adds nothing")
    func sampleBase() throws {
        let store = Self.temporary("sample")
        defer { try? FileManager.default.removeItem(atPath: store) }
        let first = try Self.summary(Executables.run("ledger", ["import", Self.sample, "--store", store, "--default-region", "UA", "--json"]))
        #expect(first["rows"] as? Int == 15)
        #expect(first["created"] as? Int == 10)
        #expect(first["updated"] as? Int == 1)
        #expect(first["rejected"] as? Int == 4)
        #expect(first["format"] as? String == "text")
        #expect(first["encoding"] as? String == "UTF-8")
        let rejections = first["rejections"] as? [[String: Any]] ?? []
        #expect(rejections.compactMap { $0["row"] as? Int } == [9, 10, 11, 13])
        #expect((rejections.first?["reason"] as? String)?.contains("31.04.1990") == true)
        #expect((rejections.last?["reason"] as? String)?.contains("gmail.com") == true)
        let events = try #require(first["events"] as? Int)

        let second = try Self.summary(Executables.run("ledger", ["import", Self.sample, "--store", store, "--default-region", "UA", "--json"]))
        #expect(second["events"] as? Int == 0)
        #expect(second["alreadyRecorded"] as? Int == 15)
        let stats = try Self.summary(Executables.run("ledger", ["stats", "--json", "--store", store]))
        #expect(stats["events"] as? Int == events)

        let shown = try Executables.run("ledger", ["contact", "show", "+380671234567", "--store", store, "--json"])
        #expect(shown.stdout.contains("\"lastName\":\"Коваленко-Шевчук\""), "the later row wins: \(shown.stdout)")
        #expect(try Executables.run("ledger", ["verify", "--store", store]).status == 0)
        // The projection was written without a flush per batch, and flushed at the end: no
        // "unflushed" marker is left, and it matches the log.
        let markers = FileManager.default.enumerator(atPath: store + "/projections")?.compactMap { $0 as? String }.filter { $0.contains("unflushed-") }
        #expect(markers == [])
        #expect(try Executables.run("ledger", ["verify", "--projections", "--store", store]).status == 0)
    }

    @Test("a dry run reports the same and writes nothing; rejects go to a CSV with the reason")
    func dryRunAndRejects() throws {
        let store = Self.temporary("dry")
        let rejects = Self.temporary("rejects") + ".csv"
        defer {
            try? FileManager.default.removeItem(atPath: store)
            try? FileManager.default.removeItem(atPath: rejects)
        }
        let dry = try Self.summary(Executables.run("ledger", ["import", Self.sample, "--store", store, "--default-region", "UA", "--dry-run", "--rejects", rejects, "--json"]))
        #expect(dry["created"] as? Int == 10)
        #expect(dry["rejected"] as? Int == 4)
        #expect(dry["dryRun"] as? Bool == true)
        #expect(!FileManager.default.fileExists(atPath: store + "/data.mdb"))
        let lines = try String(contentsOfFile: rejects, encoding: .utf8).split(separator: "\r\n")
        #expect(lines.count == 5)
        #expect(lines.first == "Пошта,Телефон,Ім'я,Прізвище,Дата народження,Місто,VIP,reason")
        #expect(lines[2].hasPrefix("ivan@,067 999 88 77,"))
        #expect(lines[2].contains("row 10: email"))
    }

    @Test("progress marks count rows: a run with another batch size resumes exactly where the marks say")
    func otherBatchSize() throws {
        let store = Self.temporary("batch-size")
        defer { try? FileManager.default.removeItem(atPath: store) }
        func run(_ extra: [String]) throws -> [String: Any] {
            try Self.summary(Executables.run("ledger", ["import", Self.sample, "--store", store, "--default-region", "UA", "--json"] + extra))
        }
        let small = try run(["--batch-size", "2"])
        #expect(small["created"] as? Int == 10)
        #expect(small["rows"] as? Int == 15)
        let other = try run([])
        #expect(other["alreadyRecorded"] as? Int == 15)
        #expect(other["events"] as? Int == 0)
        let odd = try run(["--batch-size", "7"])
        #expect(odd["alreadyRecorded"] as? Int == 15)
        #expect(odd["events"] as? Int == 0)
    }

    @Test("--memory-limit takes MiB of at least 64: a run at the lowest limit records the same contacts, a smaller one is refused before anything is written")
    func memoryLimit() throws {
        let store = Self.temporary("memory-limit")
        defer { try? FileManager.default.removeItem(atPath: store) }
        let refused = try Executables.run("ledger", ["import", Self.sample, "--store", store, "--memory-limit", "63"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("--memory-limit must be at least 64"))
        #expect(!FileManager.default.fileExists(atPath: store + "/data.mdb"))
        let low = try Self.summary(Executables.run("ledger", ["import", Self.sample, "--store", store, "--default-region", "UA", "--json", "--memory-limit", "64"]))
        #expect(low["created"] as? Int == 10)
        #expect(low["rejected"] as? Int == 4)
    }

    /// A CSV of an e-mail column and `columns` custom ones, with the e-mails of `rows`.
    static func wideFile(columns: Int, rows: [Int]) throws -> String {
        let path = temporary("wide") + ".csv"
        var text = "Email," + (0..<columns).map { "c\($0)" }.joined(separator: ",") + "\n"
        let values = Array(repeating: "v", count: columns).joined(separator: ",")
        for row in rows { text += "row\(row)@example.com,\(values)\n" }
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("a row of 300 new custom columns (300 field.defined events) takes no id of the next row: every row is imported, and a second run adds nothing")
    func wideRows() throws {
        let store = Self.temporary("wide-store")
        let file = try Self.wideFile(columns: 300, rows: [2, 3, 4])
        defer {
            try? FileManager.default.removeItem(atPath: store)
            try? FileManager.default.removeItem(atPath: file)
        }
        let first = try Self.summary(Executables.run("ledger", ["import", file, "--store", store, "--json"]))
        #expect(first["created"] as? Int == 3)
        #expect(first["rejected"] as? Int == 0)
        let events = try #require(first["events"] as? Int)
        // 300 field.defined, then one contact.created per row, carrying the e-mail consent the
        // import states (decision 0022), the e-mail and the fields (decision 0026).
        #expect(events == 300 + 3 * 1)
        for row in [2, 3, 4] {
            let shown = try Executables.run("ledger", ["contact", "show", "row\(row)@example.com", "--store", store, "--json"])
            #expect(shown.status == 0, "row \(row): \(shown.stderr)")
            #expect(shown.stdout.contains("\"c299\":\"v\""), "row \(row): \(shown.stdout)")
        }
        let second = try Self.summary(Executables.run("ledger", ["import", file, "--store", store, "--json"]))
        #expect(second["events"] as? Int == 0)
        #expect(second["alreadyRecorded"] as? Int == 3)
        // Without the progress mark (a dry run does not read it) every row is found unchanged.
        let dry = try Self.summary(Executables.run("ledger", ["import", file, "--store", store, "--json", "--dry-run"]))
        #expect(dry["unchanged"] as? Int == 3)
        #expect(dry["events"] as? Int == 0)
        let stats = try Self.summary(Executables.run("ledger", ["stats", "--json", "--store", store]))
        #expect(stats["events"] as? Int == events)
        #expect(try Executables.run("ledger", ["verify", "--store", store]).status == 0)
        #expect(try Executables.run("ledger", ["verify", "--projections", "--store", store]).status == 0)
    }

    @Test("more columns or --segment options than the limits are refused with the limit named, before anything is written")
    func limits() throws {
        let store = Self.temporary("limits")
        let wide = try Self.wideFile(columns: 16_384, rows: [2])
        defer {
            try? FileManager.default.removeItem(atPath: store)
            try? FileManager.default.removeItem(atPath: wide)
        }
        let segments = (0...100).flatMap { ["--segment", "s\($0)"] }
        let tooManySegments = try Executables.run("ledger", ["import", Self.sample, "--store", store] + segments)
        #expect(tooManySegments.status == 64, "\(tooManySegments.stderr)")
        #expect(tooManySegments.stderr.contains("101 segments") && tooManySegments.stderr.contains("at most 100"), "\(tooManySegments.stderr)")
        #expect(!FileManager.default.fileExists(atPath: store), "no store is made for a refused import")

        _ = try Executables.run("ledger", ["import", Self.sample, "--store", store, "--default-region", "UA"])
        let before = try Self.summary(Executables.run("ledger", ["stats", "--json", "--store", store]))
        // 16,384 custom columns and the e-mail: one over.
        let tooWide = try Executables.run("ledger", ["import", wide, "--store", store])
        #expect(tooWide.status != 0)
        #expect(tooWide.stderr.contains("16385 columns") && tooWide.stderr.contains("at most 16384"), "\(tooWide.stderr)")
        let after = try Self.summary(Executables.run("ledger", ["stats", "--json", "--store", store]))
        #expect(after["events"] as? Int == before["events"] as? Int)
    }

    @Test("a refused file leaves the ledger as it was")
    func refusedFiles() throws {
        let store = Self.temporary("refused")
        defer { try? FileManager.default.removeItem(atPath: store) }
        _ = try Executables.run("ledger", ["import", Self.sample, "--store", store, "--default-region", "UA"])
        let before = try Self.summary(Executables.run("ledger", ["stats", "--json", "--store", store]))
        let huge = Self.temporary("huge") + ".csv"
        defer { try? FileManager.default.removeItem(atPath: huge) }
        FileManager.default.createFile(atPath: huge, contents: Data("Email\n".utf8))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: huge))
        try handle.truncate(atOffset: 301 * 1024 * 1024)
        try handle.close()
        let refused = try Executables.run("ledger", ["import", huge, "--store", store])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("300"), "\(refused.stderr)")
        let unmapped = try Executables.run("ledger", ["import", Self.sample, "--store", store, "--map", "Nope=email"])
        #expect(unmapped.status != 0)
        #expect(unmapped.stderr.contains("nope"), "\(unmapped.stderr)")
        let after = try Self.summary(Executables.run("ledger", ["stats", "--json", "--store", store]))
        #expect(after["events"] as? Int == before["events"] as? Int)
    }

    @Test("an import killed with SIGKILL and run again ends as one clean import would, with nothing twice")
    func killedImport() throws {
        let file = Self.temporary("base") + ".csv"
        defer { try? FileManager.default.removeItem(atPath: file) }
        var text = "Email;Phone;First name;Last name\n"
        for index in 0..<6_000 { text += "user\(index)@example.com;+38067\(1_000_000 + index);Name\(index);Surname\(index % 97)\n" }
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))

        let clean = Self.temporary("clean")
        defer { try? FileManager.default.removeItem(atPath: clean) }
        _ = try Executables.run("ledger", ["import", file, "--store", clean, "--batch-size", "250"])
        let expected = try Self.summary(Executables.run("ledger", ["stats", "--json", "--store", clean]))

        var generator = SystemRandomNumberGenerator()
        for round in 0..<3 {
            let store = Self.temporary("killed-\(round)")
            defer { try? FileManager.default.removeItem(atPath: store) }
            try Self.importKilled(file, store: store, batchSize: 250, after: UInt32.random(in: 50_000...400_000, using: &generator))
            #expect(try Executables.run("ledger", ["verify", "--store", store]).status == 0)
            let rerun = try Self.summary(Executables.run("ledger", ["import", file, "--store", store, "--batch-size", "250", "--json"]))
            let recorded = rerun["alreadyRecorded"] as? Int ?? -1
            #expect(recorded % 250 == 0 || recorded == 6_000)
            #expect((rerun["created"] as? Int ?? 0) + recorded == 6_000)
            let stats = try Self.summary(Executables.run("ledger", ["stats", "--json", "--store", store]))
            #expect(stats["events"] as? Int == expected["events"] as? Int)
            #expect(stats["streams"] as? Int == 6_000)
            #expect(try Executables.run("ledger", ["verify", "--store", store]).status == 0)
            // The killed run left its "unflushed" marker (this boot, process gone); opening the
            // projection again flushed it and took it away.
            let markers = FileManager.default.enumerator(atPath: store + "/projections")?.compactMap { $0 as? String }.filter { $0.contains("unflushed-") }
            #expect(markers == [])
        }
    }

    @Test("contacts that recur in neighbouring batches, killed with SIGKILL and run again: the same contacts and events as one row per batch")
    func killedImportOfRecurringContacts() throws {
        // Row i is contact i % 150 with a new first name: with 100-row batches most rows meet a
        // contact that the batch before (still being appended) created or changed.
        let file = Self.temporary("recurring") + ".csv"
        defer { try? FileManager.default.removeItem(atPath: file) }
        var text = "Email;Phone;First name\n"
        for index in 0..<3_000 { text += "user\(index % 150)@example.com;+38067\(1_000_000 + index % 150);Name\(index)\n" }
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))

        let single = Self.temporary("recurring-single")
        defer { try? FileManager.default.removeItem(atPath: single) }
        let reference = try Self.summary(Executables.run("ledger", ["import", file, "--store", single, "--batch-size", "1", "--json"]))
        #expect(reference["created"] as? Int == 150)
        #expect(reference["updated"] as? Int == 2_850)
        let expected = try Self.summary(Executables.run("ledger", ["stats", "--json", "--store", single]))

        var generator = SystemRandomNumberGenerator()
        for round in 0..<2 {
            let store = Self.temporary("recurring-\(round)")
            defer { try? FileManager.default.removeItem(atPath: store) }
            try Self.importKilled(file, store: store, batchSize: 100, after: UInt32.random(in: 20_000...200_000, using: &generator))
            let rerun = try Self.summary(Executables.run("ledger", ["import", file, "--store", store, "--batch-size", "100", "--json"]))
            let recorded = rerun["alreadyRecorded"] as? Int ?? -1
            #expect(recorded % 100 == 0)
            #expect((rerun["created"] as? Int ?? 0) + (rerun["updated"] as? Int ?? 0) + recorded == 3_000)
            let stats = try Self.summary(Executables.run("ledger", ["stats", "--json", "--store", store]))
            #expect(stats["events"] as? Int == expected["events"] as? Int)
            #expect(stats["streams"] as? Int == expected["streams"] as? Int)
            #expect(try Executables.run("ledger", ["verify", "--projections", "--store", store]).status == 0)
            for contact in [0, 77, 149] {
                let shown = try Executables.run("ledger", ["contact", "show", "user\(contact)@example.com", "--json", "--store", store])
                #expect(shown.stdout.contains("Name\(2_850 + contact)"), "\(shown.stdout)")
            }
        }
    }
}
