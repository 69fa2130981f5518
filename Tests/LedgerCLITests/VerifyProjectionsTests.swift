import Foundation
import LedgerDomain
import LedgerStore
import Testing

@Suite("ledger verify --projections", .serialized)
struct VerifyProjectionsTests {
    /// Overwrites contact `target`'s state in the live contact projection with contact `source`'s bytes.
    static func tamper(_ store: String, overwrite target: UInt64, with source: UInt64) throws {
        let directory = try ProjectionDirectory(ledgerDirectory: store, name: "contacts").current()
        let projection = try ProjectionStore(directory: directory, tables: ["contacts", "by-email", "by-phone", "by-external-id", "fields"])
        defer { projection.close() }
        let contacts = try projection.table("contacts")
        func key(_ stream: UInt64) -> [UInt8] { withUnsafeBytes(of: stream.bigEndian) { Array($0) } }
        try projection.write { transaction in
            let bytes = try #require(try transaction.get(contacts, key(source)))
            try transaction.put(contacts, key(target), bytes)
        }
    }

    @Test("a good store: ok, exit 0, also on a store whose projection was never built")
    func good() throws {
        let store = try AuditFixtures.base()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let result = try Executables.run("ledger", ["verify", "--projections", "--store", store])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.hasPrefix("ok: projection contacts equals a fresh fold of positions 1…30 (4 contacts, 5 index entries)\n"))
        #expect(result.stdout.split(separator: "\n").last?.hasPrefix("ok: projection tokens") == true, "every projection of the catalogue: \(result.stdout)")
        let json = try Executables.run("ledger", ["verify", "--projections", "--json", "--store", store])
        #expect(json.status == 0)
        // One report per projection (contacts, tokens): an array once the catalogue has two.
        let reports = try #require(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(reports.map { $0["projection"] as? String } == ["contacts", "tokens"])
        let object = try #require(reports.first)
        #expect(object["ok"] as? Bool == true)
        #expect((object["differences"] as? [Any])?.isEmpty == true)
        #expect(try Executables.run("ledger", ["verify", "--store", store]).stdout.hasPrefix("ok: 30 events"), "without the flag, verify checks the chain as before")
    }

    @Test("a projection tampered with directly: exit 1, naming the contact and what differs")
    func tampered() throws {
        let store = try AuditFixtures.base()
        defer { try? FileManager.default.removeItem(atPath: store) }
        #expect(try Executables.run("ledger", ["verify", "--projections", "--store", store]).status == 0)
        try Self.tamper(store, overwrite: 2, with: 1)
        let result = try Executables.run("ledger", ["verify", "--projections", "--store", store])
        #expect(result.status == 1)
        #expect(result.stdout.hasPrefix("DIFFERENT: projection contacts differs from a fresh fold of positions 1…30 in 1 places"))
        #expect(result.stdout.contains("  [contacts] contact 2: the stored state is contact 1's\n"))
        #expect(!result.stdout.contains("@example.com"), "no personal value in the report")
        let json = try Executables.run("ledger", ["verify", "--projections", "--json", "--store", store])
        #expect(json.status == 1)
        let reports = try #require(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        let object = try #require(reports.first { $0["projection"] as? String == "contacts" })
        #expect(object["ok"] as? Bool == false)
        #expect(reports.first { $0["projection"] as? String == "tokens" }?["ok"] as? Bool == true)
        let differences = try #require(object["differences"] as? [[String: Any]])
        #expect(differences.map { $0["contact"] as? Int } == [2])
        // A rebuild refolds the log and the check passes again.
        #expect(try Executables.run("ledger", ["rebuild", "--store", store]).status == 0)
        #expect(try Executables.run("ledger", ["verify", "--projections", "--store", store]).status == 0)
    }
}
