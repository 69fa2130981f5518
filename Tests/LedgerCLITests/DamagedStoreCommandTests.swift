import Foundation
import Testing

/// Commands on a store whose log is damaged, lost or rolled back (issue 15 items 8 and 9): each
/// ends with a message naming what is wrong, never a signal and never a spin.
@Suite("Damaged store commands", .serialized)
struct DamagedStoreCommandTests {
    /// A store of 40 contacts made through the CLI, removed with `cleanup`.
    static func store() throws -> (folder: String, store: String) {
        let folder = NSTemporaryDirectory() + "ledger-damaged-\(UUID().uuidString)"
        return (folder, try DamagedStores.make(contacts: 40, in: folder))
    }

    /// The last position of the log in `store`, as `ledger verify` prints it.
    static func lastPosition(_ store: String) throws -> String {
        let verify = try Executables.run("ledger", ["verify", "--store", store], timeout: 60)
        let words = verify.stdout.split(separator: " ")
        let positions = try #require(words.firstIndex(of: "positions").map { words[$0 + 1] }, "\(verify.output)")
        return String(positions.dropFirst("1…".count).prefix { $0 != "," })
    }

    @Test("damage LMDB crashes on inside the log's trees is a fault of verify, not its death")
    func crashInWalkReported() throws {
        let (folder, store) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let copy = folder + "/copy"
        let pages = try DamagedStores.size(store + "/data.mdb") / 4096
        // A page's mp_lower (offset 12) tells LMDB how many nodes it holds; a wrong one sends
        // it outside the page. Find a page where the walk, done in this process, dies of it.
        var crashing: Int?
        for page in 2..<pages {
            try DamagedStores.copy(store, to: copy)
            try DamagedStores.flip(copy + "/data.mdb", at: page * 4096 + 12)
            let inProcess = try Executables.run("ledger", ["verify", "--in-child", "--store", copy], timeout: 60)
            if inProcess.signal != nil {
                crashing = page
                break
            }
        }
        let page = try #require(crashing, "no page header flip crashed the walk in process")
        let verify = try Executables.run("ledger", ["verify", "--store", copy], timeout: 60)
        #expect(verify.signal == nil)
        #expect(verify.status == 1)
        #expect(verify.stdout.contains("FAULT: the check died of signal"), "page \(page): \(verify.output)")
        #expect(verify.stdout.contains(copy + "/data.mdb"))
        let json = try Executables.run("ledger", ["verify", "--json", "--store", copy], timeout: 60)
        #expect(json.status == 1)
        #expect(json.stdout.contains("\"kind\" : \"crash\""))
    }

    @Test("a truncated log is refused by every command, naming the file and the check")
    func truncatedLog() throws {
        let (folder, store) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let size = try DamagedStores.size(store + "/data.mdb")
        #expect(truncate(store + "/data.mdb", off_t(size / 2)) == 0)
        let show = try Executables.run("ledger", ["contact", "show", "person1@example.com", "--store", store], timeout: 60)
        #expect(show.signal == nil, "\(show.output)")
        #expect(show.status == 1)
        #expect(show.stderr.contains(store + "/data.mdb is damaged"), "\(show.output)")
        #expect(show.stderr.contains("truncated"))
        let verify = try Executables.run("ledger", ["verify", "--store", store], timeout: 60)
        #expect(verify.signal == nil)
        #expect(verify.status == 1)
        #expect(verify.stdout.hasPrefix("FAULT: " + store + "/data.mdb is damaged"), "\(verify.output)")
    }

    @Test("a log emptied to 0 bytes is a fault of verify and of every read, naming the projection and the log")
    func emptiedLog() throws {
        let (folder, store) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let last = try Self.lastPosition(store)
        #expect(truncate(store + "/data.mdb", 0) == 0)
        let verify = try Executables.run("ledger", ["verify", "--store", store], timeout: 60)
        #expect(verify.status == 1, "\(verify.output)")
        #expect(verify.stdout.contains("[projection]"))
        #expect(verify.stdout.contains("through position \(last), but the log \(store)/data.mdb ends at position 0"), "\(verify.output)")
        let show = try Executables.run("ledger", ["contact", "show", "person1@example.com", "--store", store], timeout: 60)
        #expect(show.status == 1, "\(show.output)")
        #expect(show.stderr.contains("ends at position 0"))
    }

    @Test("a log older than the projection (a copied-back data.mdb) makes a write fail naming both, not spin")
    func rolledBackLog() throws {
        let (folder, store) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let last = try Self.lastPosition(store)
        let old = folder + "/old-data.mdb"
        try FileManager.default.copyItem(atPath: store + "/data.mdb", toPath: old)
        for index in 0..<3 {
            let add = try Executables.run("ledger", ["contact", "add", "--email", "later\(index)@example.com", "--store", store], timeout: 60)
            #expect(add.status == 0, "\(add.output)")
        }
        try FileManager.default.removeItem(atPath: store + "/data.mdb")
        try FileManager.default.copyItem(atPath: old, toPath: store + "/data.mdb")
        let add = try Executables.run("ledger", ["contact", "add", "--email", "new@example.com", "--store", store], timeout: 60)
        #expect(!add.timedOut, "contact add spun")
        #expect(add.status == 1, "\(add.output)")
        #expect(add.stderr.contains("ends at position \(last)"), "\(add.output)")
        let verify = try Executables.run("ledger", ["verify", "--store", store], timeout: 60)
        #expect(verify.status == 1)
        #expect(verify.stdout.contains("[projection]"), "\(verify.output)")
    }
}
